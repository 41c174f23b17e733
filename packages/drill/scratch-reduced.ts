import { analyze, loadSpec } from "@nines/planner";
import { buildScenarios, loadWorkload, runDrill, scorecardHeader, scorecardRow, scorecardSummary, up } from "./src/index.js";
const spec = loadSpec("packages/drill/test/fixtures/drill/nines.yaml");
const t0 = Date.now();
const system = await up(spec, { runDir: "/tmp/drillscratch/run3", scale: 20, timeScale: 10 });
console.error(`up in ${Date.now() - t0} ms; front door ${system.frontDoor}`);
try {
  const workload = await loadWorkload("examples/clicktravel/workload.mjs");
  const plan = analyze(spec);
  const t = { warmupMs: 2000, faultMs: 6000, observeMs: 6000 };
  const scenarios = buildScenarios(spec, plan, { timeScale: 10, timelines: Object.fromEntries(["instance-loss","zone-loss","region-loss","db-crash","deletion","query-of-death","dependency-fault","retry-storm"].map(k=>[k,t])) as never });
  process.stdout.write(scorecardHeader());
  const results = await runDrill(system, {
    spec, plan, workload, scenarios, only: process.argv.slice(2),
    onProgress: (p) => console.error(`[${((Date.now()-t0)/1000).toFixed(1)}] ${p.phase} ${p.message ?? ""}`),
    onResult: (r) => process.stdout.write(scorecardRow(r)),
  });
  process.stdout.write(scorecardSummary(results));
  for (const r of results) console.log(JSON.stringify({ ...r, series: r.series.map(s => [Math.round((s.at - (r.timeline?.startAt ?? 0))/1000), s.offered, s.successRatio, s.p99Ms, JSON.stringify(s.ready)]) }));
} finally {
  await system.stop();
  console.error(`total ${Date.now() - t0} ms`);
}
