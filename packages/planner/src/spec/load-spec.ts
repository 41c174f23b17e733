import { readFileSync } from "node:fs";
import { NinesError } from "@nines/core";
import type { Spec } from "../model.js";
import { parseSpec } from "./parse-spec.js";
import { formatSpecError } from "./spec-error.js";

/** Error code: the spec has errors; `details.errors` lists them (`SpecError[]`), `details.exitCode` is 2. */
export const SPEC_INVALID = "NINES_SPEC_INVALID";
/** Error code: the spec file cannot be read. */
export const SPEC_UNREADABLE = "NINES_SPEC_UNREADABLE";

/**
 * Reads and validates a spec file into the planner's model. Throws
 * `NINES_SPEC_INVALID` listing every error as `file:line:column: message`
 * with its hint (`details.errors` holds them for `--json`), or
 * `NINES_SPEC_UNREADABLE` when the file cannot be read; both exit 2.
 *
 * @example
 * const spec = loadSpec("examples/clicktravel/nines.yaml");
 * spec.services.map((s) => s.name); // ["web", "orders", "inventory", "analytics"]
 */
export function loadSpec(path: string): Spec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((cause as Error).message);
    throw new NinesError(SPEC_UNREADABLE, `cannot read spec ${path}: ${reason}`, {
      hint: "check the path; a spec is a nines.yaml file (see docs/spec.md)",
      cause,
      details: { path, exitCode: 2 },
    });
  }
  const result = parseSpec(text, path);
  if (result.ok) return result.spec;
  const count = result.errors.length;
  throw new NinesError(
    SPEC_INVALID,
    `${path} has ${count} error${count === 1 ? "" : "s"}:\n${result.errors.map(formatSpecError).join("\n")}`,
    {
      hint: "fix the errors above; every one is listed with its line and column",
      details: { errors: result.errors, exitCode: 2 },
    },
  );
}
