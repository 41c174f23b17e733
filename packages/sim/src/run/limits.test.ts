import assert from "node:assert/strict";
import { it } from "node:test";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import { parseSpec } from "@nines/planner";
import { SIM_ERRORS } from "../errors.js";
import { simulateYear } from "../year/simulate-year.js";
import { SIMULATION_LIMITS } from "./limits.js";
import { simulate } from "./simulate.js";

const parsed = parseSpec(
  `
name: Small
platform:
  regions: { r1: [r1-a, r1-b] }
services:
  api: { zones: [r1-a, r1-b], instances: 1, capacity: 100, load: 10 }
journeys:
  main: { entry: api }
`,
  "small.nines.yaml",
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const spec = parsed.spec;

it("refuses runs past the limits at once, saying the range", async () => {
  await assert.rejects(
    simulateYear(spec, { years: 1e12 }),
    (error) =>
      isNinesError(error, OPTION_INVALID) && /years.*an integer from 1 to 10000/.test((error as Error).message),
  );
  const refused = async (scenario: Parameters<typeof simulate>[1], pattern: RegExp) =>
    await assert.rejects(
      simulate(spec, scenario, { durationMs: 2000 }),
      (error) => isNinesError(error, SIM_ERRORS.scenarioInvalid) && pattern.test((error as Error).message),
    );
  await refused(
    { kind: "instance-failures", failuresPerHour: 1e12 },
    /at most 3600 \(once a second\), got 1000000000000/,
  );
  await refused({ kind: "surge", factor: 1e9, afterMs: 0 }, /factor must be at most 100, got 1000000000/);
});

it("runs at the limits", async () => {
  const crashes = await simulate(
    spec,
    { kind: "instance-failures", failuresPerHour: SIMULATION_LIMITS.failuresPerHour },
    { durationMs: 2000 },
  );
  assert.equal(crashes.durationMs, 2000);
  const surge = await simulate(
    spec,
    { kind: "surge", factor: SIMULATION_LIMITS.surgeFactor, afterMs: 0 },
    { durationMs: 1000 },
  );
  assert.ok((surge.journeys[0]?.requests ?? 0) > 500, "a hundred times 10 req/s for a second");
});
