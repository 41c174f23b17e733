// The figures of issue 10's "What must hold", measured on ClickTravel at
// the default scale (docs/benchmarks.md, "nines drill"): one system for an
// instance loss, the retry storm (spec policies, then naive callers), the
// deletion, a database crash and the loss of us-central1-a; then four more
// systems for four more database crashes (each from a fresh pair, as the
// first). Prints a table, or with --json one object per
// figure and line: { figure, value, unit, limit, holds, detail }.
// Run on a quiet machine, after a build:
//   npm run bench:drill            (or: npm run bench:drill -- --json)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze, loadSpec } from "@nines/planner";
import { buildScenarios } from "../src/drill/build-scenarios.js";
import type { DrillResult } from "../src/drill/drill-result.js";
import { loadWorkload } from "../src/drill/load-workload.js";
import { runDrill } from "../src/drill/run-drill.js";
import { scorecardRow } from "../src/drill/scorecard.js";
import { up } from "../src/up/up.js";

const json = process.argv.includes("--json");
const crashRuns = 5;
const specFile = new URL("../../../examples/clicktravel/nines.yaml", import.meta.url).pathname;
const spec = loadSpec(specFile);
const plan = analyze(spec);
const workload = await loadWorkload(new URL("../../../examples/clicktravel/workload.mjs", import.meta.url).pathname);
const log = (text: string) => process.stderr.write(`bench:drill: ${text}\n`);

/** Brings ClickTravel up at the default scale, runs `only`, tears it down. */
async function drill(only: string[]): Promise<{ results: DrillResult[]; timeScale: number }> {
  const dir = mkdtempSync(join(tmpdir(), "nines-bench-drill-"));
  const system = await up(spec, { runDir: dir });
  try {
    log(`up (scale ${system.plan.scale}, time scale ${system.plan.timeScale}); running ${only.join(", ")}`);
    const scenarios = buildScenarios(spec, plan, {
      timeScale: system.plan.timeScale,
      queryOfDeathService: "inventory",
    });
    const results = await runDrill(system, {
      spec,
      plan,
      workload,
      scenarios,
      only,
      onResult: (r) => process.stderr.write(scorecardRow(r)),
    });
    return { results, timeScale: system.plan.timeScale };
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Figure {
  figure: string;
  value: number | null;
  unit: string;
  limit: string;
  holds: boolean;
  detail: string;
}
const figures: Figure[] = [];
const add = (f: Figure) => figures.push(f);
const byKind = (results: DrillResult[], name: string) => results.find((r) => r.scenario === name || r.kind === name);

const first = await drill(["instance-loss", "retry-storm", "deletion", "db-crash", "zone-loss-us-central1-a"]);
const { results, timeScale } = first;

const instance = byKind(results, "instance-loss");
if (instance?.measured) {
  const service = spec.services.find((s) => instance.target.startsWith(`${s.name}-`));
  const limitMs = Math.round((service?.startupMs ?? 0) / timeScale) + 2000;
  const replaced = instance.measured.replaced.find((r) => r.instance === instance.target);
  add({
    figure: "instance loss: success ratio over the drill",
    value: instance.successRatio,
    unit: "fraction",
    limit: ">= 0.999",
    holds: (instance.successRatio ?? 0) >= 0.999,
    detail: instance.target,
  });
  add({
    figure: "instance loss: time to replace",
    value: replaced?.replaceMs ?? null,
    unit: "ms",
    limit: `<= ${limitMs} (start-up / ${timeScale} + 2 s)`,
    holds: replaced?.replaceMs != null && replaced.replaceMs <= limitMs,
    detail: instance.target,
  });
}

const zone = byKind(results, "zone-loss-us-central1-a");
if (zone?.measured) {
  const inventory = zone.measured.goodput.find((g) => g.service === "inventory");
  const web = zone.measured.services.find((s) => s.service === "web");
  add({
    figure: "zone loss: inventory goodput / remaining capacity",
    value: inventory?.ratio ?? null,
    unit: "fraction",
    limit: ">= 0.85",
    holds: (inventory?.ratio ?? 0) >= 0.85,
    detail: `${inventory?.goodput} of ${inventory?.remainingCapacity} req/s; predicted overload ${zone.predicted.overload.map((o) => `${o.service} ${o.ratio}`).join(", ")}`,
  });
  add({
    figure: "zone loss: p99 of inventory's admitted requests",
    value: inventory?.admittedP99Ms ?? null,
    unit: "ms",
    limit: "< 500",
    holds: inventory?.admittedP99Ms != null && inventory.admittedP99Ms < 500,
    detail: `inventory's own latency histogram during the loss; at the client (web's retries included): ${inventory?.p99Ms} ms`,
  });
  add({
    figure: "zone loss: web success ratio during the loss",
    value: web?.successRatio ?? null,
    unit: "fraction",
    limit: "> 0 (available)",
    holds: (web?.successRatio ?? 0) > 0,
    detail: `${((zone.measured.degradedRatio ?? 0) * 100).toFixed(1)}% of successful answers degraded (analytics lost)`,
  });
  add({
    figure: "zone loss: analytics degraded, not failing",
    value: zone.measured.degradedRatio,
    unit: "fraction",
    limit: "> 0",
    holds: (zone.measured.degradedRatio ?? 0) > 0,
    detail: "answers made without analytics during the loss",
  });
  add({
    figure: "zone loss: full recovery after the zone returns",
    value: zone.measured.recoveryAfterEndMs,
    unit: "ms",
    limit: "<= 10000",
    holds: zone.measured.recoveryAfterEndMs !== null && zone.measured.recoveryAfterEndMs <= 10_000,
    detail: "until the success ratio is back at the objective and holds 5 s",
  });
}

const deletion = byKind(results, "deletion");
if (deletion?.measured) {
  const d = deletion.measured.deletion;
  add({
    figure: "deletion: lost writes (RPO)",
    value: deletion.lostWrites,
    unit: "items",
    limit: "= 0",
    holds: deletion.lostWrites === 0,
    detail: `${d?.deleted} rows deleted, ${d?.restored} restored by ${d?.mechanism}`,
  });
  add({
    figure: "deletion: restore time",
    value: d?.restoreMs ?? null,
    unit: "ms",
    limit: "measured",
    holds: d !== null && d !== undefined,
    detail: deletion.target,
  });
}

const storm = results.find((r) => r.scenario.startsWith("retry-storm") && !r.scenario.endsWith("-naive"));
const naive = results.find((r) => r.scenario.endsWith("-naive"));
if (storm?.measured) {
  add({
    figure: "retry storm (spec policies): recovery after the fault ends",
    value: storm.measured.recoveryAfterEndMs,
    unit: "ms",
    limit: "<= 10000",
    holds: storm.measured.recoveryAfterEndMs !== null && storm.measured.recoveryAfterEndMs <= 10_000,
    detail: `${storm.measured.amplification?.toFixed(2)} attempts per request at ${storm.target}`,
  });
}
if (naive?.measured) {
  add({
    figure: "retry storm (naive callers): amplification",
    value: naive.measured.amplification,
    unit: "attempts per request",
    limit: "shown",
    holds: naive.measured.amplification !== null,
    detail: `spec policies: ${storm?.measured?.amplification?.toFixed(2) ?? "n/a"}`,
  });
}

const crashes = [byKind(results, "db-crash")];
for (let i = 1; i < crashRuns; i++) crashes.push(byKind((await drill(["db-crash"])).results, "db-crash"));
const failoverMs = spec.stores.find((s) => s.name === "orders-db")?.replica?.failoverMs ?? null;
const ran = crashes.filter((r): r is DrillResult => r?.measured != null);
add({
  figure: `database crash: acknowledged bookings lost over ${ran.length} runs`,
  value: ran.reduce((n, r) => n + r.lostWrites, 0),
  unit: "writes",
  limit: `= 0 over >= ${crashRuns} runs`,
  holds: ran.length >= crashRuns && ran.every((r) => r.lostWrites === 0),
  detail: `${ran.map((r) => r.measured?.acknowledgedWrites).join(", ")} acknowledged`,
});
add({
  figure: `database crash: service instances that crashed over ${ran.length} runs`,
  value: ran.reduce((n, r) => n + crashed(r), 0),
  unit: "instances",
  limit: "= 0 (FailoverClient rides the failover out)",
  holds: ran.every((r) => crashed(r) === 0),
  detail: `per run: ${ran.map(crashed).join(", ")}`,
});
const rtos = ran.map((r) => r.rtoMs);
/** Instances of any service that died by themselves during the scenario (replaced after a crash). */
function crashed(r: DrillResult): number {
  return r.measured?.replaced.filter((x) => x.reason === "crashed").length ?? 0;
}
add({
  figure: "database crash: RTO (worst run)",
  value: rtos.some((x) => x === null) ? null : Math.max(...(rtos as number[])),
  unit: "ms",
  limit: `<= ${failoverMs} (the spec's failover)`,
  holds: rtos.every((x) => x !== null && failoverMs !== null && x <= failoverMs),
  detail: `runs: ${rtos.map((x) => (x === null ? "none" : `${x} ms`)).join(", ")}; promotion ${ran.map((r) => r.measured?.promoteMs).join(", ")} ms`,
});

if (json) {
  for (const f of figures) process.stdout.write(`${JSON.stringify(f)}\n`);
} else {
  for (const f of figures) {
    process.stdout.write(
      `${f.holds ? "holds " : "MISSED"}  ${f.figure}: ${f.value ?? "none"} ${f.unit} (${f.limit}); ${f.detail}\n`,
    );
  }
}
