import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, type Progress } from "@nines/core";
import { parseSpec } from "@nines/planner";
import { simulateYear } from "./simulate-year.js";

function specOf(yaml: string) {
  const parsed = parseSpec(yaml, "test.nines.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

// One managed component: the journey is up exactly when it is, 99.9% of the time.
const single = specOf(`
name: Single
objectives:
  availability: 99.95%
platform:
  regions:
    r1: [r1-a, r1-b]
  # Nothing fails but the edge, whose 99.9% is then all that shows.
  availability: { region: 100%, zone: 100%, instance: 100% }
edge:
  lb: { engine: global-http-lb, sla: 99.9% }
services:
  api:
    zones: [r1-a, r1-b]
    instances: 2
    capacity: 100
    load: 10
journeys:
  main: { via: lb, entry: api }
`);

describe("simulateYear", () => {
  it("measures a managed component's figure, with a confidence interval that holds it", async () => {
    const progress: Progress[] = [];
    const result = await simulateYear(single, {
      years: 50,
      recovery: "instant",
      onProgress: (p) => progress.push(p),
    });
    const [main] = result.journeys;
    assert.ok(main);
    assert.ok(main.ci95[0] <= 0.999 && 0.999 <= main.ci95[1], JSON.stringify(main));
    assert.ok(Math.abs(main.availability - 0.999) < 0.0002);
    assert.equal(main.verdict, "missed");
    assert.ok(Math.abs(main.downtimeByCause["managed-outage"] - main.downtimeMinutesPerYear) < 0.01);
    assert.equal(result.series.journeys["main"]?.availability.length, 50);
    assert.equal(progress.length, 50);
    assert.deepEqual(progress.at(-1), { phase: "year", done: 50, total: 50, unit: "years" });
  });

  it("replays byte for byte from its seed", async () => {
    const run = (seed: number) => simulateYear(single, { years: 3, seed }).then((r) => JSON.stringify(r));
    assert.equal(await run(5), await run(5));
    assert.notEqual(await run(5), await run(6));
  });

  it("refuses bad options, naming them", async () => {
    await assert.rejects(simulateYear(single, { years: 0 }), /years must be an integer from 1 to 10000, got 0/);
    await assert.rejects(simulateYear(single, { recovery: "fast" as never }), /recovery must be "spec" or "instant"/);
    await assert.rejects(
      simulateYear(single, { outageMs: { zones: 5 } as never }),
      (error: unknown) => isNinesError(error) && /did you mean zone/.test(error.hint ?? ""),
    );
  });
});
