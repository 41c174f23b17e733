import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, SeededRandom } from "@nines/core";
import { bulkhead } from "./bulkhead.js";
import { circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { wrap } from "./pipeline.js";
import { adaptiveThrottle } from "./throttle.js";
import { timeout } from "./timeout.js";

/** The breaker and the throttle composed with R1's pipeline, bulkhead and timeout. */
describe("breaker in a pipeline", () => {
  test("a bulkhead rejection inside the breaker never counts; a per-attempt timeout does", async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", threshold: 2 }, openMs: 1000 });
    const policy = wrap(breaker, bulkhead({ maxConcurrent: 1 }), timeout({ clock, ms: 100 }));
    const hang = ({ signal }: { signal: AbortSignal }) =>
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    const first = assert.rejects(policy.execute(hang), (e) => isNinesError(e, RESILIENCE_ERRORS.timeout));
    // The slot is taken: these are rejected by the bulkhead and must not open the breaker.
    for (let i = 0; i < 5; i++)
      await assert.rejects(policy.execute(hang), (e) => isNinesError(e, RESILIENCE_ERRORS.bulkheadFull));
    assert.equal(breaker.state, "closed");
    await clock.advance(100);
    await first;
    const second = assert.rejects(policy.execute(hang), (e) => isNinesError(e, RESILIENCE_ERRORS.timeout));
    await clock.advance(100);
    await second;
    assert.equal(breaker.state, "open");
    const rejection = await policy.execute(() => "x").catch((e: unknown) => e);
    assert.ok(isNinesError(rejection, RESILIENCE_ERRORS.circuitOpen));
    assert.equal(rejection.details.retryAfterMs, 1000);
  });

  test("a caller abort through the pipeline is not a failure", async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", threshold: 1 } });
    const policy = wrap(breaker, timeout({ clock, ms: 1000 }));
    const controller = new AbortController();
    const pending = policy.execute(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      controller.signal,
    );
    controller.abort();
    await assert.rejects(pending, (e) => isNinesError(e, RESILIENCE_ERRORS.aborted));
    await clock.flush();
    assert.equal(breaker.state, "closed");
  });

  test("throttle outside the breaker: overload rejections raise the local rejection probability, breaker stays closed", async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", threshold: 1 } });
    const throttle = adaptiveThrottle({ clock, random: new SeededRandom(11) });
    const policy = wrap(throttle, breaker);
    let sent = 0;
    const shed = () => {
      sent++;
      throw new NinesError(RESILIENCE_ERRORS.overloaded, "shed", { details: { retryAfterMs: 100 } });
    };
    let throttled = 0;
    for (let i = 0; i < 100; i++) {
      const error = await policy.execute(shed).catch((e: unknown) => e);
      if (isNinesError(error, RESILIENCE_ERRORS.throttled)) throttled++;
    }
    assert.equal(breaker.state, "closed");
    assert.equal(sent + throttled, 100);
    assert.ok(throttled > 80, `most of the later calls never left the client (${throttled})`);
    assert.deepEqual(throttle.snapshot().requests, 100);
  });
});
