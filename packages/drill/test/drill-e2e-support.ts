import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { analyze, loadSpec, type Spec } from "@nines/planner";
import { buildScenarios } from "../src/drill/build-scenarios.js";
import type { DrillResult } from "../src/drill/drill-result.js";
import { loadWorkload } from "../src/drill/load-workload.js";
import { runDrill } from "../src/drill/run-drill.js";
import type { ScenarioKind, ScenarioTimeline } from "../src/drill/scenario.js";
import type { Workload } from "../src/drill/workload.js";
import type { RunningSystem } from "../src/up/running-system.js";
import { up } from "../src/up/up.js";
import { runProcesses, tempDir } from "./support.js";

/** The reduced ClickTravel of the drill's end-to-end tests (ClickTravel's code, run from source). */
export const DRILL_SPEC = new URL("./fixtures/drill/nines.yaml", import.meta.url).pathname;
/** ClickTravel's own workload module. */
export const WORKLOAD = new URL("../../../examples/clicktravel/workload.mjs", import.meta.url).pathname;

/** Short timelines: 2 s of warm-up, 5 s of fault, 6 s to observe. */
const SHORT: ScenarioTimeline = { warmupMs: 2000, faultMs: 5000, observeMs: 6000 };
const KINDS: ScenarioKind[] = [
  "instance-loss",
  "zone-loss",
  "region-loss",
  "db-crash",
  "deletion",
  "query-of-death",
  "dependency-fault",
  "retry-storm",
];

/** One reduced ClickTravel up for a test file, the drill run on it, and a teardown that checks nothing is left. */
export class DrillFixture {
  readonly spec: Spec = loadSpec(DRILL_SPEC);
  readonly plan = analyze(this.spec, { asOf: "2026-11-29" });
  readonly dir = tempDir("nines-drill-e2e-");
  system!: RunningSystem;
  workload!: Workload;

  async start(): Promise<void> {
    this.workload = await loadWorkload(WORKLOAD);
    this.system = await up(this.spec, {
      runDir: this.dir.path,
      scale: 20,
      timeScale: 10,
      balancer: { timeoutMs: 3000 },
    });
  }

  /** Runs the named scenarios (names or kinds) with short timelines. */
  async drill(only: string[]): Promise<DrillResult[]> {
    const scenarios = buildScenarios(this.spec, this.plan, {
      timeScale: 10,
      queryOfDeathService: "inventory",
      timelines: Object.fromEntries(KINDS.map((k) => [k, SHORT])),
    });
    return await runDrill(this.system, {
      spec: this.spec,
      plan: this.plan,
      workload: this.workload,
      scenarios,
      only,
      warmupMs: 2000,
    });
  }

  async stop(): Promise<void> {
    await this.system?.stop();
    // Nothing of the run is left: no instance, no PostgreSQL server, no reaper.
    assert.deepEqual(runProcesses(this.dir.path), []);
    assert.deepEqual(readdirSync(`${this.dir.path}/pids`), []);
    this.dir.remove();
  }
}

/** A result's scenario was run and measured. */
export function measured(result: DrillResult | undefined): NonNullable<DrillResult["measured"]> {
  assert.ok(result, "the scenario ran");
  assert.notEqual(result.verdict, "not-run", result.reason);
  assert.ok(result.measured);
  assert.ok(result.series.length >= 10, `${result.series.length} seconds measured`);
  return result.measured;
}
