import { isNinesError } from "@nines/core";
import { formatSpecError, SPEC_INVALID, type SpecError } from "@nines/planner";
import type { Io } from "./command.js";
import { CLI_ERRORS, exitCodeOf } from "./errors.js";
import { plural } from "./plural.js";

/** The located errors of a spec (spec.md, "Invalid input"), when `error` carries them. */
function specErrors(error: unknown): SpecError[] | undefined {
  if (!isNinesError(error)) return undefined;
  const listed = error.details["errors"];
  return Array.isArray(listed) && listed.length > 0 ? (listed as SpecError[]) : undefined;
}

/**
 * Prints what a command threw and returns the exit status. For people, on
 * stderr: `error CODE: message` and its hint (a spec's errors first, each
 * at its file:line:column). With `json`, on stdout: spec.md's
 * `{ "errors": [{ file, line, column, message, hint }] }` for a spec's
 * errors, else `{ "error": { code, message, hint } }`. A stack trace only
 * when NINES_DEBUG is set.
 *
 * @example
 * return reportError(error, io, wantsJson(argv));
 */
export function reportError(error: unknown, io: Io, json: boolean): number {
  const coded = isNinesError(error);
  const code = coded ? error.code : CLI_ERRORS.unexpected;
  const message = coded
    ? error.message
    : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
  const hint = coded
    ? (error.hint ?? "")
    : "this is a bug in nines; rerun with NINES_DEBUG=1 for the stack and report it";
  const located = specErrors(error);
  if (json) {
    const body = located ? { errors: located } : { error: { code, message, hint } };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else if (located && code === SPEC_INVALID) {
    const files = [...new Set(located.map((e) => e.file))].join(", ");
    io.stderr.write(
      `${located.map(formatSpecError).join("\n")}\nerror ${code}: ${files} has ${plural(located.length, "error")}\n`,
    );
  } else {
    io.stderr.write(`error ${code}: ${message}${hint ? `\n  hint: ${hint}` : ""}\n`);
  }
  if (io.env["NINES_DEBUG"] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return exitCodeOf(error);
}
