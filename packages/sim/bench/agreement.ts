// Must-show (5) of issue 11, simulation and drill agree: ClickTravel loses
// us-central1-a in a real drill at the drill's default scale (20, time
// scale 10; `up()` and `runDrill` of the built @nines/drill, as
// packages/drill/bench/drill.ts runs them), then the simulator runs the same
// scenario on the same system (bench/drill-model.ts: the scaled spec, the
// drill workload's requests, constant service times, the drill's store
// failover and timeline) over `--seeds` seeds. Prints, for both, the success
// ratio and p99 over the scenario, the goodput while the zone is lost and
// inventory's goodput, each with simulated / drill (within 15%: the floor).
// `--json`: one object per figure and line, { figure, unit, drill,
// simulated, ratio, holds }. `--drill-result FILE` reads a drill's `--json`
// output instead of running one (to look at a recorded run again); `--save
// FILE` writes the drill's result there (with its per-second series) for
// that. `--series` also prints both runs second by second (the simulation's
// first seed), to see where they part.
// Run after a build (the npm script builds), on a quiet machine:
//   npm run bench:sim-vs-drill            (or: -- --json)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildScenarios, type DrillResult, loadWorkload, runDrill, scorecardRow, up } from "@nines/drill";
import { analyze, loadSpec } from "@nines/planner";
import { type SimulationResult, simulate } from "@nines/sim";
import {
  DRILL_DEFAULTS,
  type DrillWorkloadModule,
  drillModel,
  type SimulatedZoneLoss,
  simulatedZoneLoss,
} from "./drill-model.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const option = (name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const seeds = Number(option("--seeds") ?? 5);
const recorded = option("--drill-result");
const save = option("--save");
const log = (text: string) => process.stderr.write(`bench:sim-vs-drill: ${text}\n`);

const root = new URL("../../../examples/clicktravel/", import.meta.url).pathname;
const spec = loadSpec(join(root, "nines.yaml"));
const plan = analyze(spec);
const workload = await loadWorkload(join(root, "workload.mjs"));

/** The drill's zone loss: run now, or read from a recorded `nines drill --json` output. */
async function drillZoneLoss(): Promise<DrillResult> {
  if (recorded !== undefined) {
    const lines = readFileSync(recorded, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "");
    const found = lines.map((line) => JSON.parse(line) as DrillResult).find((r) => r.kind === "zone-loss");
    if (found === undefined) throw new Error(`${recorded} has no zone-loss result`);
    return found;
  }
  const dir = mkdtempSync(join(tmpdir(), "nines-bench-agreement-"));
  const system = await up(spec, { runDir: dir });
  try {
    log(`up (scale ${system.plan.scale}, time scale ${system.plan.timeScale}); running the zone loss`);
    const scenarios = buildScenarios(spec, plan, { timeScale: system.plan.timeScale });
    const [result] = await runDrill(system, {
      spec,
      plan,
      workload,
      scenarios,
      only: ["zone-loss"],
      onResult: (r) => process.stderr.write(scorecardRow(r)),
    });
    if (result === undefined) throw new Error("the drill ran no zone loss");
    return result;
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const drill = await drillZoneLoss();
if (save !== undefined) writeFileSync(save, `${JSON.stringify(drill)}\n`);
if (drill.measured === null || drill.timeline === null) throw new Error(`the zone loss did not run: ${drill.reason}`);
const { startAt, faultAt, faultEndAt, endAt } = drill.timeline;
const afterMs = faultAt - startAt;
const faultMs = faultEndAt - faultAt;
const durationMs = Math.max(1000, Math.round((endAt - startAt) / 1000) * 1000);
const overloaded = drill.predicted.overload[0]?.service ?? "inventory";
// The drill's own failover: the watch's look (every 200 ms) and the promotion it measured.
const storeFailoverMs =
  drill.measured.promoteMs === null ? DRILL_DEFAULTS.storeFailoverMs : 200 + drill.measured.promoteMs;
const model = drillModel(spec, workload as unknown as DrillWorkloadModule, { storeFailoverMs });
log(
  `simulating ${drill.target} lost at ${afterMs} ms for ${faultMs} ms of ${durationMs} ms, store failover ${storeFailoverMs} ms, ${seeds} seeds`,
);

const runs: SimulatedZoneLoss[] = [];
let first: SimulationResult | undefined;
for (let seed = 1; seed <= seeds; seed++) {
  const result = await simulate(
    model.spec,
    { kind: "zone-loss", zone: drill.target, afterMs, durationMs: faultMs },
    { ...model.options, durationMs, seed },
  );
  first ??= result;
  runs.push(simulatedZoneLoss(result, model.workload, overloaded, afterMs, faultMs));
}
const mean = (pick: (run: SimulatedZoneLoss) => number | null) => {
  const values = runs.map(pick).filter((v): v is number => v !== null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
};

const measured = drill.measured;
const faultSeconds = faultMs / 1000;
const drillFaultGoodput =
  measured.fault.successRatio === null ? null : (measured.fault.offered * measured.fault.successRatio) / faultSeconds;
const drillService = measured.goodput.find((g) => g.service === overloaded)?.goodput ?? null;
const figures = [
  {
    figure: "success ratio over the scenario",
    unit: "fraction",
    drill: drill.successRatio,
    simulated: mean((r) => r.successRatio),
  },
  { figure: "p99 over the scenario", unit: "ms", drill: drill.p99Ms, simulated: mean((r) => r.p99Ms) },
  {
    figure: "goodput while the zone is lost",
    unit: "req/s",
    drill: drillFaultGoodput,
    simulated: mean((r) => r.faultGoodput),
  },
  {
    figure: `${overloaded} goodput while lost (from +2 s)`,
    unit: "req/s",
    drill: drillService,
    simulated: mean((r) => r.serviceGoodput),
  },
].map((f) => {
  const ratio = f.drill === null || f.simulated === null || f.drill === 0 ? null : f.simulated / f.drill;
  return { ...f, ratio, holds: ratio !== null && Math.abs(ratio - 1) <= 0.15 };
});

if (json) {
  for (const f of figures) process.stdout.write(`${JSON.stringify(f)}\n`);
} else {
  const show = (v: number | null, unit: string) =>
    v === null
      ? "-"
      : unit === "fraction"
        ? `${(v * 100).toFixed(1)}%`
        : unit === "ms"
          ? `${Math.round(v)} ms`
          : v.toFixed(1);
  process.stdout.write(`zone loss of ${drill.target}, ClickTravel at scale ${DRILL_DEFAULTS.scale}\n`);
  process.stdout.write(
    `${"figure".padEnd(42)}${"drill".padStart(10)}${"simulated".padStart(12)}${"ratio".padStart(8)}  within 15%\n`,
  );
  for (const f of figures) {
    process.stdout.write(
      `${f.figure.padEnd(42)}${show(f.drill, f.unit).padStart(10)}${show(f.simulated, f.unit).padStart(12)}${(f.ratio === null ? "-" : f.ratio.toFixed(3)).padStart(8)}  ${f.holds ? "yes" : "NO"}\n`,
    );
  }
}

if (args.includes("--series") && first !== undefined) {
  const journey = Object.values(first.series.journeys)[0];
  process.stdout.write("\nsecond  drill: offered succeeded p99 ms   simulated: offered succeeded failed p99 ms\n");
  // A recorded `--json` line has no series; a file written by --save has.
  const seconds = (drill.series as DrillResult["series"] | undefined) ?? [];
  const points = Math.max(seconds.length, first.series.points);
  for (let i = 0; i < points; i++) {
    const d = seconds[i];
    const cell = (v: number | null | undefined) => (v === null || v === undefined ? "-" : String(Math.round(v)));
    process.stdout.write(
      `${String(i).padStart(6)}  ${cell(d?.offered).padStart(14)} ${cell(d?.succeeded).padStart(9)} ${cell(d?.p99Ms).padStart(6)}` +
        `   ${cell(journey?.offered[i]).padStart(17)} ${cell(journey?.goodput[i]).padStart(9)} ${cell(journey?.errors[i]).padStart(6)} ${cell(journey?.p99Ms[i]).padStart(6)}\n`,
    );
  }
}
