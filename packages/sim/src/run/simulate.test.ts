import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError, type Progress } from "@nines/core";
import { loadSpec } from "@nines/planner";
import { SIM_ERRORS } from "../errors.js";
import { simulate } from "./simulate.js";

const clicktravel = loadSpec(fileURLToPath(new URL("../../../../examples/clicktravel/nines.yaml", import.meta.url)));
const mean = (values: readonly number[]) => values.reduce((sum, x) => sum + x, 0) / values.length;

describe("simulate (ClickTravel)", () => {
  it("serves the spec's load with no fault: every request succeeds, at about 2,000 per second", async () => {
    const progress: Progress[] = [];
    const result = await simulate(
      clicktravel,
      { kind: "steady" },
      { durationMs: 10_000, onProgress: (p) => progress.push(p) },
    );
    const [trip] = result.journeys;
    assert.equal(trip?.journey, "book-trip");
    assert.equal(trip?.failed, 0);
    assert.equal(trip?.availability, 1);
    assert.equal(trip?.objective, 0.9995);
    const series = result.series.journeys["book-trip"];
    assert.ok(series);
    assert.equal(result.series.points, 10);
    assert.equal(series.offered.length, 10);
    assert.ok(Math.abs(mean(series.offered) / 2000 - 1) < 0.05, `offered ${mean(series.offered)}/s`);
    // Requests in flight at the end are neither: almost every request finished.
    assert.ok(trip.succeeded > 0.99 * trip.requests);
    // inventory is called by 900 / 2000 of web's requests, orders by 600 / 2000.
    const inventory = result.series.services["inventory"];
    assert.ok(
      inventory && Math.abs(mean(inventory.calls) / 900 - 1) < 0.08,
      `inventory ${inventory && mean(inventory.calls)}/s`,
    );
    assert.deepEqual(new Set(inventory.retryAmplification), new Set([1]));
    assert.deepEqual(
      progress.map((p) => p.done),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(progress[0], { phase: "simulate", done: 1, total: 10, unit: "s" });
  });

  it("replays byte for byte from its seed", async () => {
    const run = (seed: number) =>
      simulate(clicktravel, { kind: "zone-loss", zone: "us-central1-a", afterMs: 2000 }, { durationMs: 5000, seed });
    const first = JSON.stringify(await run(3));
    assert.equal(JSON.stringify(await run(3)), first);
    assert.notEqual(JSON.stringify(await run(4)), first);
  });

  it("loses a zone: its instances go, orders fail while orders-db fails over, breakers open", async () => {
    const result = await simulate(
      clicktravel,
      { kind: "zone-loss", zone: "us-central1-a", afterMs: 3000 },
      { durationMs: 12_000 },
    );
    const web = result.series.services["web"];
    const orders = result.series.services["orders"];
    const series = result.series.journeys["book-trip"];
    assert.ok(web && orders && series);
    assert.equal(web.instancesUp[0], 8);
    assert.equal(web.instancesUp[5], 6);
    assert.equal(orders.instancesUp[5], 2);
    assert.equal(series.errors[0], 0);
    // orders-db's primary was in the lost zone; its failover takes 60 s: web's calls to orders fail.
    assert.ok((series.errors[6] as number) > 0.2 * (series.offered[6] as number), `errors ${series.errors[6]}`);
    assert.ok(Math.max(...orders.breakersOpen.slice(4)) > 0, "web's breakers on orders open");
    const [trip] = result.journeys;
    assert.ok(trip && trip.availability !== null && trip.availability < 0.9);
  });

  it("refuses a scenario that does not fit the spec", async () => {
    await assert.rejects(
      simulate(clicktravel, { kind: "zone-loss", zone: "mars-1a", afterMs: 0 }),
      (error: unknown) => isNinesError(error, SIM_ERRORS.scenarioInvalid) && /us-central1-a/.test(error.hint ?? ""),
    );
    await assert.rejects(
      simulate(clicktravel, { kind: "steady" }, { durationMS: 5 } as never),
      /unknown option durationMS/,
    );
  });
});
