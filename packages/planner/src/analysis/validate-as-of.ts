import { PLANNER_ERRORS, PlannerError } from "../errors.js";
import type { Spec } from "../model.js";
import type { SpecError } from "../spec/spec-error.js";

/**
 * docs/planner-model.md: a `backups.tested` date after the analysis date is invalid.
 * Throws `NINES_SPEC_INVALID` listing every such store with its file, line
 * and column in `details.errors` (as `loadSpec` does), so `nines plan`
 * reports it like any other spec error.
 *
 * @example
 * validateAsOf(spec, "2026-11-29"); // throws when a store says tested: 2027-01-01
 */
export function validateAsOf(spec: Spec, asOf: string): void {
  const errors: SpecError[] = [];
  for (const store of spec.stores) {
    const tested = store.backups?.tested;
    if (tested === undefined || tested === null || Date.parse(tested) <= Date.parse(asOf)) continue;
    const path = `stores.${store.name}.backups.tested`;
    const at = spec.locations.get(path) ?? spec.locations.get(`stores.${store.name}`);
    errors.push({
      file: at?.file ?? spec.file,
      line: at?.line ?? 1,
      column: at?.column ?? 1,
      message: `${path} is ${tested}, after the analysis date ${asOf}: a restore test cannot be in the future`,
      hint: `write the date of the last restore test that has happened, or pass --as-of ${tested} or later`,
    });
  }
  if (errors.length === 0) return;
  const lines = errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}\n  hint: ${e.hint}`);
  throw new PlannerError(
    PLANNER_ERRORS.specInvalid,
    `${spec.file} has ${errors.length} error${errors.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
    {
      hint: "fix the errors above; every one is listed with its line and column",
      details: { errors },
    },
  );
}
