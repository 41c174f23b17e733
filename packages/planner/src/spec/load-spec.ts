import { readFileSync } from "node:fs";
import { PLANNER_ERRORS, PlannerError } from "../errors.js";
import type { Spec } from "../model.js";
import { parseSpec } from "./parse-spec.js";
import { formatSpecError } from "./spec-error.js";

/**
 * Error code: the spec has errors; `details.errors` lists them (`SpecError[]`).
 *
 * @example
 * isNinesError(error, SPEC_INVALID);
 */
export const SPEC_INVALID = PLANNER_ERRORS.specInvalid;
/**
 * Error code: the spec file cannot be read.
 *
 * @example
 * isNinesError(error, SPEC_UNREADABLE);
 */
export const SPEC_UNREADABLE = PLANNER_ERRORS.specUnreadable;

/**
 * Reads and validates a spec file into the planner's model. Throws a
 * `PlannerError`: `NINES_SPEC_INVALID` listing every error as
 * `file:line:column: message` with its hint (`details.errors` holds them
 * for `--json`), or `NINES_SPEC_UNREADABLE` when the file cannot be read.
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
    const message = `cannot read spec ${path}: ${reason}`;
    const hint = "check the path; a spec is a nines.yaml file (see docs/spec.md)";
    throw new PlannerError(SPEC_UNREADABLE, message, {
      hint,
      cause,
      details: { path, errors: [{ file: path, line: 1, column: 1, message, hint }] },
    });
  }
  const result = parseSpec(text, path);
  if (result.ok) return result.spec;
  const count = result.errors.length;
  throw new PlannerError(
    SPEC_INVALID,
    `${path} has ${count} error${count === 1 ? "" : "s"}:\n${result.errors.map(formatSpecError).join("\n")}`,
    {
      hint: "fix the errors above; every one is listed with its line and column",
      details: { errors: result.errors },
    },
  );
}
