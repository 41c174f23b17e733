import { analyze, loadSpec } from "@nines/planner";
import { simulateYear } from "../src/year/simulate-year.js";

const spec = loadSpec("examples/clicktravel/nines.yaml");
const plan = analyze(spec, { asOf: "2026-11-29" });
console.log(
  "plan",
  plan.journeys.map((j) => [j.name, j.availability]),
);
for (const recovery of ["instant", "spec"] as const) {
  const t0 = performance.now();
  const r = await simulateYear(spec, { years: Number(process.argv[2] ?? 200), recovery, plan });
  console.log(recovery, Math.round(performance.now() - t0), "ms", r.events, "events");
  console.log(JSON.stringify(r.journeys, null, 1));
}
