import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import type { Workload } from "./workload.js";

/** The file `nines drill` looks for next to the spec when no `--workload` is given. */
export const WORKLOAD_FILE = "workload.mjs";

/**
 * Loads a workload module: its default export (or its `workload` export)
 * must have `name`, `rate(plan)` and `journeys(context)`. A module that
 * cannot be imported or exports something else is
 * {@link DRILL_ERRORS.workloadInvalid} naming the file.
 *
 * @example
 * const workload = await loadWorkload("examples/clicktravel/workload.mjs");
 */
export async function loadWorkload(file: string): Promise<Workload> {
  const path = resolve(file);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new DrillError(
      DRILL_ERRORS.workloadInvalid,
      `drill: cannot load the workload ${file}: ${(error as Error).message}`,
      {
        hint: 'pass a JavaScript module (.mjs) that exports the workload as its default export (docs/drill.md, "Workloads")',
        cause: error,
      },
    );
  }
  const workload = (module["default"] ?? module["workload"]) as Partial<Workload> | undefined;
  const missing = ["name", "rate", "journeys"].filter((key) => workload?.[key as keyof Workload] === undefined);
  if (
    workload === undefined ||
    missing.length > 0 ||
    typeof workload.rate !== "function" ||
    typeof workload.journeys !== "function"
  ) {
    throw new DrillError(
      DRILL_ERRORS.workloadInvalid,
      `drill: ${file} does not export a workload (missing ${missing.join(", ") || "functions rate and journeys"})`,
      {
        hint: 'export default { name, rate(plan), journeys(context), ... } (docs/drill.md, "Workloads")',
      },
    );
  }
  return workload as Workload;
}

/**
 * The workload file of a spec: `workload.mjs` in the spec's directory
 * when it exists, else null (the generic workload).
 *
 * @example
 * workloadFileFor("examples/clicktravel/nines.yaml"); // ".../examples/clicktravel/workload.mjs"
 */
export function workloadFileFor(specFile: string): string | null {
  const candidate = join(dirname(resolve(specFile)), WORKLOAD_FILE);
  return existsSync(candidate) ? candidate : null;
}
