import type { ServiceManifests, Spec } from "@nines/planner";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { buildChaosExperiments, type ChaosOptions, type ChaosPlan } from "./build-chaos.js";
import { checkChaos } from "./check-chaos.js";
import { renderChaosFiles } from "./render-chaos.js";

/**
 * What `nines drill --emit chaos-mesh` does before writing: builds the
 * experiments, checks every object offline against Chaos Mesh's CRD
 * schemas and rules, and renders the files. Throws
 * {@link DRILL_ERRORS.chaosInvalid} (naming the object, the field and what
 * is wrong) rather than write an experiment Chaos Mesh would refuse.
 *
 * @example
 * const { files, plan } = emitChaosMesh(spec, buildManifests(spec, { namespace: "shop" }));
 * for (const f of files) await writeFile(join(outDir, f.path), f.content); // node:fs/promises
 * for (const s of plan.skipped) console.error(`skipped ${s.scenario}: ${s.reason}`);
 */
export function emitChaosMesh(
  spec: Spec,
  manifests: readonly ServiceManifests[],
  options: ChaosOptions = {},
): { plan: ChaosPlan; files: { path: string; content: string }[] } {
  const plan = buildChaosExperiments(spec, manifests, options);
  const objects = [...plan.scenarios.flatMap((s) => s.objects), plan.workflow, ...plan.schedules];
  const problems = checkChaos(objects);
  const first = problems[0];
  if (first) {
    throw new DrillError(DRILL_ERRORS.chaosInvalid, `${first.object} at ${first.path}: ${first.message}`, {
      hint: "this is a bug in nines' Chaos Mesh export; please report it with the spec",
      details: { problems },
    });
  }
  return { plan, files: renderChaosFiles(plan) };
}
