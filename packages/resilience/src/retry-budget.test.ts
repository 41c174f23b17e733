import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { type RetryGate, retryBudget } from "./retry-budget.js";

function drain(gate: RetryGate): number {
  let n = 0;
  while (gate.tryRetry()) n++;
  return n;
}

describe("retry budget arithmetic", () => {
  test("ratio 0.2: a deposit is 1000 units, a retry 5000, the reserve minRetriesPerSecond * ttl seconds retries", () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000, clock });
    assert.equal(budget.deposit, 1000);
    assert.equal(budget.withdrawal, 5000);
    assert.equal(budget.reserve, 50_000);
    assert.equal(budget.balance, 10, "reserve only: 1/s over 10 s");
    for (let i = 0; i < 100; i++) budget.recordRequest();
    assert.equal(budget.balance, 30, "10 + 100 * 0.2");
    assert.equal(drain(budget), 30);
    assert.equal(budget.canRetry(), false);
    for (let i = 0; i < 4; i++) budget.recordRequest();
    assert.equal(budget.canRetry(), false, "4 requests = 4000 units < 5000");
    budget.recordRequest();
    assert.equal(budget.tryRetry(), true, "the 5th request pays for one retry (>=)");
    assert.equal(budget.tryRetry(), false);
  });

  test("deposits and withdrawals leave the window after ttl, a bucket at a time", async () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.5, minRetriesPerSecond: 0, windowMs: 1000, buckets: 10, clock });
    for (let i = 0; i < 10; i++) budget.recordRequest(); // t = 0: 5 retries' worth
    await clock.advance(500);
    for (let i = 0; i < 4; i++) budget.recordRequest(); // t = 500: 2 more
    assert.equal(budget.balance, 7);
    assert.equal(budget.tryRetry(), true); // t = 500: -1
    assert.equal(budget.balance, 6);
    await clock.advance(499); // t = 999
    assert.equal(budget.balance, 6);
    await clock.advance(1); // t = 1000: the t=0 bucket (10 requests) is gone
    assert.equal(budget.balance, 1, "2 (t=500) - 1 (the retry at t=500)");
    await clock.advance(500); // t = 1500: everything is gone
    assert.equal(budget.balance, 0);
  });

  test("with no traffic the minimum allows minRetriesPerSecond * ttl per ttl; spent retries come back after ttl", async () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.1, minRetriesPerSecond: 3, windowMs: 2000, clock });
    assert.equal(drain(budget), 6);
    await clock.advance(1999);
    assert.equal(budget.tryRetry(), false);
    await clock.advance(1);
    assert.equal(drain(budget), 6);
  });

  test("ratio 0 allows only the reserve; ratio 1 a retry per request", () => {
    const clock = new ManualClock(0);
    const none = retryBudget({ ratio: 0, minRetriesPerSecond: 2, windowMs: 1000, clock });
    for (let i = 0; i < 1000; i++) none.recordRequest();
    assert.equal(drain(none), 2);
    const all = retryBudget({ ratio: 1, minRetriesPerSecond: 0, clock });
    for (let i = 0; i < 7; i++) all.recordRequest();
    assert.equal(drain(all), 7);
  });

  test("one budget shared by several call sites limits their retries together", () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.25, minRetriesPerSecond: 0, clock });
    const siteA: RetryGate = budget;
    const siteB: RetryGate = budget;
    for (let i = 0; i < 8; i++) siteA.recordRequest();
    for (let i = 0; i < 8; i++) siteB.recordRequest();
    let retries = 0;
    for (let i = 0; i < 10; i++) if ((i % 2 === 0 ? siteA : siteB).tryRetry()) retries++;
    assert.equal(retries, 4, "16 requests * 0.25");
  });

  test("emits withdrawn and exhausted with the balance left", () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.5, minRetriesPerSecond: 0, clock });
    const log: string[] = [];
    budget.on("withdrawn", (e) => log.push(`withdrawn ${e.balance}`));
    budget.on("exhausted", (e) => log.push(`exhausted ${e.balance}`));
    for (let i = 0; i < 4; i++) budget.recordRequest();
    drain(budget);
    assert.deepEqual(log, ["withdrawn 1", "withdrawn 0", "exhausted 0"]);
  });

  test("rejects bad options naming them", () => {
    for (const [option, options] of [
      ["ratio", { ratio: 1.5 }],
      ["ratio", { ratio: -0.1 }],
      ["minRetriesPerSecond", { minRetriesPerSecond: -1 }],
      ["windowMs", { windowMs: 0 }],
      ["buckets", { buckets: 0 }],
    ] as const) {
      assert.throws(
        () => retryBudget(options),
        (e) => isNinesError(e, "NINES_OPTION_INVALID") && e.message.includes(`option ${option} `),
      );
    }
  });
});
