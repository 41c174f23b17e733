import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import { loadSpec } from "@nines/planner";
import { simulate } from "./simulate.js";
import type { SimWorkload } from "./workload.js";

const clicktravel = loadSpec(fileURLToPath(new URL("../../../../examples/clicktravel/nines.yaml", import.meta.url)));
const sum = (values: readonly number[] = []) => values.reduce((a, b) => a + b, 0);

const workload: SimWorkload = {
  rate: 400,
  requests: [
    { name: "search", weight: 3, calls: ["inventory"] },
    { name: "book", weight: 1, calls: ["inventory", "orders"] },
  ],
};

describe("simulate with a workload", () => {
  it("draws each request's kind by weight and makes exactly its calls", async () => {
    const result = await simulate(clicktravel, { kind: "steady" }, { durationMs: 5000, workload });
    const search = sum(result.series.requests?.["search"]?.offered);
    const book = sum(result.series.requests?.["book"]?.offered);
    assert.equal(search + book, sum(result.series.journeys["book-trip"]?.offered));
    assert.ok(Math.abs(search / (search + book) - 0.75) < 0.03, `${search} searches, ${book} bookings`);
    // Every request calls inventory, only bookings call orders (but those still at web at the end).
    const near = (calls: number, requests: number) => calls <= requests && calls >= 0.97 * requests;
    const inventory = sum(result.series.services["inventory"]?.calls);
    const orders = sum(result.series.services["orders"]?.calls);
    assert.ok(near(inventory, search + book), `${inventory} calls to inventory`);
    assert.ok(near(orders, book), `${orders} calls to orders`);
    // The entry's optional call stays.
    assert.ok(sum(result.series.services["analytics"]?.calls) > 0);
    assert.equal(result.journeys[0]?.failed, 0);
  });

  it("makes a kind's calls one after the other: a failed one stops the rest and fails the request", async () => {
    const result = await simulate(
      clicktravel,
      { kind: "error-burst", target: "inventory", errorRate: 1, afterMs: 0 },
      { durationMs: 3000, workload },
    );
    assert.equal(sum(result.series.services["orders"]?.calls), 0, "no booking reached orders");
    assert.equal(sum(result.series.requests?.["book"]?.goodput), 0);
    assert.ok(sum(result.series.requests?.["book"]?.errors) > 0);
  });

  it("without a workload, the result has no per-kind series", async () => {
    const result = await simulate(clicktravel, { kind: "steady" }, { durationMs: 1000 });
    assert.equal(result.series.requests, undefined);
  });

  it("refuses a call the entry does not make, naming the request and the entry's calls", async () => {
    const wrong: SimWorkload = { rate: 10, requests: [{ name: "pay", weight: 1, calls: ["payments"] }] };
    await assert.rejects(
      simulate(clicktravel, { kind: "steady" }, { durationMs: 1000, workload: wrong }),
      (error: unknown) =>
        isNinesError(error, OPTION_INVALID) &&
        /workload\.requests\.pay\.calls/.test(error.message) &&
        /orders, inventory/.test(error.message),
    );
    await assert.rejects(
      simulate(clicktravel, { kind: "steady" }, { durationMs: 1000, workload: { ...workload, rate: 0 } }),
      /workload\.rate/,
    );
  });
});
