import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, SeededRandom } from "@nines/core";
import { constantBackoff } from "./backoff.js";
import { bulkhead } from "./bulkhead.js";
import { circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { retry } from "./retry.js";
import { adaptiveThrottle } from "./throttle.js";

/**
 * Issue #2: every policy "emits events that metrics can count". These pin the
 * exact counts and payloads a metrics exporter would see for a scripted run
 * (the lifecycle of the breaker, budget, timeout, hedging and fallback events
 * are pinned in their own test files).
 */
describe("events for metrics", () => {
  test("retry: one failure and one retry event per failed attempt, then success or giveUp", async () => {
    const clock = new ManualClock(0);
    const policy = retry({ clock, maxAttempts: 3, backoff: constantBackoff(10), idempotent: true });
    const log: string[] = [];
    policy.on("failure", ({ attempt }) => log.push(`failure ${attempt} at ${clock.now()}`));
    policy.on("retry", ({ attempt, delayMs }) => log.push(`retry ${attempt} in ${delayMs}`));
    policy.on("success", ({ attempts }) => log.push(`success after ${attempts}`));
    policy.on("giveUp", ({ attempts, reason }) => log.push(`giveUp after ${attempts}: ${reason}`));
    const flaky = policy.execute(({ attempt }) => (attempt < 3 ? Promise.reject(new Error("x")) : attempt));
    await clock.advance(20);
    assert.equal(await flaky, 3);
    const down = policy.execute(() => Promise.reject(new Error("down"))).catch((e: unknown) => e);
    await clock.advance(20);
    assert.match(String(await down), /down/);
    assert.deepEqual(log, [
      "failure 1 at 0",
      "retry 2 in 10",
      "failure 2 at 10",
      "retry 3 in 10",
      "success after 3",
      "failure 1 at 20",
      "retry 2 in 10",
      "failure 2 at 30",
      "retry 3 in 10",
      "failure 3 at 40",
      "giveUp after 3: maxAttempts",
    ]);
  });

  test("bulkhead: queued and rejected carry the occupancy at that moment", async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const log: string[] = [];
    pool.on("queued", ({ queued }) => log.push(`queued ${queued}`));
    pool.on("rejected", ({ active, queued }) => log.push(`rejected active=${active} queued=${queued}`));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = pool.execute(() => gate);
    const waiting = pool.execute(() => "second");
    await assert.rejects(
      pool.execute(() => "third"),
      (e) => isNinesError(e, RESILIENCE_ERRORS.bulkheadFull),
    );
    release();
    await running;
    assert.equal(await waiting, "second");
    assert.deepEqual(log, ["queued 1", "rejected active=1 queued=1"]);
  });

  test("adaptive throttle: one throttled event per local rejection, with the error's probability", async () => {
    const clock = new ManualClock(0);
    const throttle = adaptiveThrottle({ clock, random: new SeededRandom(3) });
    const events: number[] = [];
    throttle.on("throttled", ({ probability }) => events.push(probability));
    const errors: number[] = [];
    for (let i = 0; i < 50; i++) {
      const error = await throttle
        .execute(() => Promise.reject(new NinesError(RESILIENCE_ERRORS.overloaded, "shed")))
        .catch((e: unknown) => e);
      if (isNinesError(error, RESILIENCE_ERRORS.throttled)) errors.push(error.details.probability as number);
    }
    assert.ok(errors.length > 10, `most calls were throttled locally (${errors.length})`);
    assert.deepEqual(events, errors);
  });

  test("breaker: isolate and reset emit isolated, rejection and stateChange once each", async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 3 } });
    const log: string[] = [];
    breaker.on("stateChange", ({ from, to }) => log.push(`${from}->${to}`));
    breaker.on("isolated", () => log.push("isolated"));
    breaker.on("rejection", ({ state }) => log.push(`rejection ${state}`));
    breaker.on("closed", ({ rampEndsAt }) => log.push(`closed ramp=${rampEndsAt}`));
    breaker.isolate();
    breaker.isolate();
    await assert.rejects(breaker.execute(() => 1));
    breaker.reset();
    breaker.reset();
    assert.equal(await breaker.execute(() => 1), 1);
    assert.deepEqual(log, [
      "closed->isolated",
      "isolated",
      "rejection isolated",
      "isolated->closed",
      "closed ramp=undefined",
    ]);
  });
});
