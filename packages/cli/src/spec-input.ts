import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { parseSpec, SPEC_INVALID, SPEC_UNREADABLE, type Spec, type SpecError } from "@nines/planner";
import type { Io } from "./command.js";
import { CliError } from "./errors.js";
import { plural } from "./plural.js";

/** A spec read from the command line, with the name its messages use. */
export interface SpecInput {
  readonly spec: Spec;
  readonly warnings: readonly SpecError[];
  /** The file as the user wrote it, or `<stdin>`. */
  readonly file: string;
}

/** The name messages give the spec read from standard input. */
export const STDIN_NAME = "<stdin>";

async function readStdin(io: Io): Promise<string> {
  if (io.stdin === undefined) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads and validates the spec named on the command line: a path (resolved
 * against the command's cwd, shown as written) or `-` for standard input.
 * Throws `NINES_SPEC_UNREADABLE` or `NINES_SPEC_INVALID` with every error
 * located in `details.errors`, which `main` prints (or prints as JSON).
 *
 * @example
 * const { spec, warnings } = await readSpec(io, "nines.yaml");
 */
export async function readSpec(io: Io, file: string): Promise<SpecInput> {
  const shown = file === "-" ? STDIN_NAME : file;
  let text: string;
  try {
    text = file === "-" ? await readStdin(io) : await readFile(isAbsolute(file) ? file : resolve(io.cwd, file), "utf8");
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((cause as Error).message);
    const message = `cannot read spec ${shown}: ${reason}`;
    const hint = "check the path; a spec is a nines.yaml file (see docs/spec.md)";
    throw new CliError(SPEC_UNREADABLE, message, {
      hint,
      cause,
      details: { errors: [{ file: shown, line: 1, column: 1, message, hint }] },
    });
  }
  const result = parseSpec(text, shown);
  if (result.ok) return { spec: result.spec, warnings: result.warnings, file: shown };
  throw new CliError(SPEC_INVALID, `${shown} has ${plural(result.errors.length, "error")}`, {
    hint: "fix the errors above; every one is listed with its line and column",
    details: { errors: result.errors },
  });
}
