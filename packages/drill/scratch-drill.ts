import { analyze, loadSpec } from "@nines/planner";
import { loadWorkload, runDrill, scorecardHeader, scorecardRow, scorecardSummary, up } from "./src/index.js";
const spec = loadSpec("examples/clicktravel/nines.yaml");
const t0 = Date.now();
const system = await up(spec, { runDir: "/tmp/drillscratch/run", onProgress: (p) => console.error(`[${((Date.now()-t0)/1000).toFixed(1)}] up ${p.phase} ${p.done}/${p.total} ${p.message ?? ""}`) });
console.error(`up in ${Date.now() - t0} ms; front door ${system.frontDoor}`);
try {
  const workload = await loadWorkload("examples/clicktravel/workload.mjs");
  process.stdout.write(scorecardHeader());
  const results = await runDrill(system, {
    spec, workload, only: process.argv.slice(2),
    onProgress: (p) => console.error(`[${((Date.now()-t0)/1000).toFixed(1)}] ${p.phase} ${p.message ?? ""}`),
    onResult: (r) => process.stdout.write(scorecardRow(r)),
  });
  process.stdout.write(scorecardSummary(results));
  for (const r of results) console.log(JSON.stringify({ ...r, series: undefined }));
} finally {
  await system.stop();
  console.error(`total ${Date.now() - t0} ms`);
}
