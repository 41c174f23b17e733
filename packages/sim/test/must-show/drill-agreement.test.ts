// Must show (5), simulation and drill agree: for the zone-loss scenario at the drill's scale, the
// simulated success ratio and p99 are within 15% of what `nines drill` measured. The drill runs real
// processes; this test takes its result from a file, so it runs where a drill has run:
//
//   nines drill examples/clicktravel/nines.yaml --scenario zone-loss --json > drill.jsonl
//   NINES_DRILL_RESULT=drill.jsonl [NINES_DRILL_SCALE=20] [NINES_DRILL_TIME_SCALE=10] \
//     node scripts/test.mjs packages/sim/test/must-show/drill-agreement.test.ts
//
// Without NINES_DRILL_RESULT it skips (and says why). The simulation replays the drill's run: its zone, the
// fault's start and length and the load's length from the drill's `timeline`, on the spec scaled as the
// drill scaled it (`scaleSpec`).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { scaleSpec } from "../../src/run/scale-spec.js";
import { simulate } from "../../src/run/simulate.js";
import { clicktravel } from "../support/specs.js";

interface DrillLine {
  kind: string;
  target: string;
  successRatio: number | null;
  p99Ms: number | null;
  timeline: { startAt: number; faultAt: number; faultEndAt: number; endAt: number } | null;
}

const file = process.env["NINES_DRILL_RESULT"];
const skip =
  file === undefined ? "set NINES_DRILL_RESULT to the output of `nines drill ... --scenario zone-loss --json`" : false;

describe("must show (5): simulation and drill agree", { skip }, () => {
  it("zone-loss at the drill's scale: success ratio and p99 within 15% of the drill's", async () => {
    const lines = readFileSync(file as string, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as DrillLine);
    const drill = lines.find((line) => line.kind === "zone-loss" && line.timeline !== null);
    assert.ok(drill?.timeline, "the file has a zone-loss scenario that ran");
    const { startAt, faultAt, faultEndAt, endAt } = drill.timeline;
    const spec = scaleSpec(clicktravel, {
      scale: Number(process.env["NINES_DRILL_SCALE"] ?? 20),
      timeScale: Number(process.env["NINES_DRILL_TIME_SCALE"] ?? 10),
    });
    const result = await simulate(
      spec,
      { kind: "zone-loss", zone: drill.target, afterMs: faultAt - startAt, durationMs: faultEndAt - faultAt },
      { durationMs: Math.max(1000, Math.round((endAt - startAt) / 1000) * 1000) },
    );
    const [trip] = result.journeys;
    assert.ok(trip !== undefined && trip.availability !== null && trip.p99Ms !== null);
    assert.ok(drill.successRatio !== null && drill.p99Ms !== null);
    const off = (simulated: number, measured: number) => Math.abs(simulated / measured - 1);
    assert.ok(
      off(trip.availability as number, drill.successRatio) <= 0.15,
      `success ${trip.availability} vs ${drill.successRatio}`,
    );
    assert.ok(off(trip.p99Ms as number, drill.p99Ms) <= 0.15, `p99 ${trip.p99Ms} vs ${drill.p99Ms} ms`);
  });
});

describe("scaleSpec", () => {
  it("divides loads, capacities and rps targets by the scale, start-up times by the time scale", () => {
    const small = scaleSpec(clicktravel, { scale: 20, timeScale: 10 });
    const web = small.services.find((s) => s.name === "web");
    assert.deepEqual([web?.load, web?.capacity, web?.startupMs, web?.autoscale?.target], [100, 25, 1500, 17.5]);
    const orders = small.services.find((s) => s.name === "orders");
    assert.equal(orders?.autoscale?.target, 0.6, "a cpu target is a share: unchanged");
  });
});
