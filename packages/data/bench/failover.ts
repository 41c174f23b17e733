// Runs the failover drill several times and reports the measured RPO
// (acknowledged writes lost) and RTO (how long writes were refused).
// Usage: npm run bench:failover [-- --runs 3] [-- --json]
import { parseArgs } from "node:util";
import { failoverRetry } from "../src/failover/failover-retry.js";
import { runFailoverDrill } from "../test/support/failover-drill.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, json: { type: "boolean", default: false } },
});
const runs = Number(values.runs);
const results = [];
for (let run = 1; run <= runs; run++) {
  const result = await runFailoverDrill({
    policy: failoverRetry({ idempotent: true }),
    onProgress: (p) => process.stderr.write(`  run ${run}: ${p.message ?? p.phase}\n`),
  });
  results.push(result);
  const line = {
    run,
    acknowledged: result.acknowledged,
    lost: result.lost,
    rtoMs: result.rtoMs,
    promotedAfterMs: result.promotedAfterMs,
  };
  if (values.json) console.log(JSON.stringify(line));
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? Number.NaN;
if (!values.json) {
  console.log(
    `failover drill, ${runs} runs (primary SIGKILLed; promoter checks every 200 ms, promotes after 3 failures)`,
  );
  console.log(`  acknowledged writes lost (RPO): ${results.map((r) => r.lost).join(", ")}`);
  console.log(
    `  RTO ms (kill -> first write on the new primary): ${results.map((r) => r.rtoMs).join(", ")}; median ${median(results.map((r) => r.rtoMs))}`,
  );
  console.log(`  promotion ms after the kill: ${results.map((r) => r.promotedAfterMs).join(", ")}`);
}
