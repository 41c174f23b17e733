import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, SeededRandom } from "@nines/core";
import { constantBackoff } from "./backoff.js";
import { bulkhead } from "./bulkhead.js";
import { circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { forwardingRunOf } from "./forwarding.js";
import { wrap } from "./pipeline.js";
import { type GiveUpReason, retry } from "./retry.js";
import { adaptiveThrottle } from "./throttle.js";
import { timeout } from "./timeout.js";

/** The breaker and the throttle composed with the pipeline, bulkhead and timeout. */
describe("breaker in a pipeline", () => {
  test("a bulkhead rejection inside the breaker never counts; a per-attempt timeout does", async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 2 }, openMs: 1000 });
    const policy = wrap(breaker, bulkhead({ maxConcurrent: 1 }), timeout({ clock, timeoutMs: 100 }));
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
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 1 } });
    const policy = wrap(breaker, timeout({ clock, timeoutMs: 1000 }));
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
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 1 } });
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

/**
 * The breaker right below a retry takes the retry's failure continuation
 * (an internal fast path, forwarding.ts): every failure must still be recorded by the breaker
 * and reach the retry, on the fast path (closed, nobody listens) and on the
 * tracked path (listeners, slow calls, half-open probes).
 */
describe("breaker right below a retry (failure forwarding)", () => {
  function setup(failureThreshold: number, openMs = 1000) {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({
      clock,
      window: { kind: "count", size: 10, minimumCalls: 10, failureRateThreshold: 1 },
    });
    const consecutive = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold }, openMs });
    const policy = retry({ clock, maxAttempts: 3, backoff: constantBackoff(10), idempotent: true });
    const giveUps: GiveUpReason[] = [];
    policy.on("giveUp", ({ reason }) => giveUps.push(reason));
    return { clock, breaker, consecutive, policy, giveUps };
  }
  /** Fails the first `failures` calls, then returns the attempt number. */
  function flaky(failures: number) {
    let calls = 0;
    return ({ attempt }: { attempt: number }) => {
      calls++;
      if (calls <= failures) return Promise.reject(new Error(`boom ${calls}`));
      return attempt;
    };
  }

  test("the breaker registers a forwarding run that hands a failure to the continuation", async () => {
    const { breaker } = setup(5);
    const run = forwardingRunOf(breaker);
    assert.ok(run !== undefined);
    let got: unknown;
    const result = await run(
      () => Promise.reject(new Error("x")),
      {
        attempt: 1,
        deadlineAt: Number.POSITIVE_INFINITY,
        remainingMs: () => Number.POSITIVE_INFINITY,
        signal: new AbortController().signal,
      },
      (error) => {
        got = error;
        return Promise.resolve("continued");
      },
    );
    assert.equal(result, "continued");
    assert.match(String(got), /x/);
    assert.deepEqual(breaker.snapshot().window, { calls: 1, failures: 1, slowCalls: 0 });
  });

  test("fast path: failed attempts are recorded and retried at exact times; the success is recorded", async () => {
    const { clock, breaker, policy } = setup(5);
    const pipeline = wrap(policy, breaker);
    const pending = pipeline.execute(flaky(2));
    await clock.advance(9);
    assert.deepEqual(breaker.snapshot().window, { calls: 1, failures: 1, slowCalls: 0 });
    await clock.advance(1);
    assert.deepEqual(breaker.snapshot().window, { calls: 2, failures: 2, slowCalls: 0 });
    await clock.advance(10);
    assert.equal(await pending, 3);
    assert.deepEqual(breaker.snapshot().window, { calls: 3, failures: 2, slowCalls: 0 });
    assert.equal(clock.now(), 20);
  });

  test("the attempt that opens the circuit hands the retry an open-circuit rejection, not retried by default", async () => {
    const { clock, consecutive, policy, giveUps } = setup(2);
    const pipeline = wrap(policy, consecutive);
    let calls = 0;
    const pending = pipeline.execute(() => {
      calls++;
      return Promise.reject(new Error("down"));
    });
    const caught = pending.catch((e: unknown) => e);
    await clock.advance(20);
    const error = await caught;
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.circuitOpen), String(error));
    assert.equal(error.details.retryAfterMs, 990, "opened at t=10, rejected at t=20");
    assert.equal(calls, 2, "the third attempt never reached the dependency");
    assert.deepEqual(giveUps, ["notRetryable"]);
    assert.equal(consecutive.state, "open");
  });

  test("tracked path: listeners see every attempt, and unsubscribing stops the events", async () => {
    const { clock, consecutive, policy } = setup(5);
    const pipeline = wrap(policy, consecutive);
    const seen: string[] = [];
    const offFailure = consecutive.on("failure", ({ durationMs }) => seen.push(`failure ${durationMs}`));
    const offSuccess = consecutive.on("success", ({ durationMs }) => seen.push(`success ${durationMs}`));
    const pending = pipeline.execute(async (context) => {
      await clock.sleep(5);
      return flakyOnce(context.attempt);
    });
    await clock.advance(100);
    assert.equal(await pending, 2);
    assert.deepEqual(seen, ["failure 5", "success 5"]);
    offFailure();
    offSuccess();
    const again = pipeline.execute(flaky(1));
    await clock.advance(10);
    assert.equal(await again, 2);
    assert.deepEqual(seen, ["failure 5", "success 5"], "no event after unsubscribing");
  });

  test("half-open: a failed probe below a retry reopens the circuit and the retry gets the error", async () => {
    const { clock, consecutive, policy, giveUps } = setup(1, 100);
    const pipeline = wrap(policy, consecutive);
    const first = pipeline.execute(() => Promise.reject(new Error("first"))).catch((e: unknown) => e);
    await clock.advance(10);
    assert.ok(isNinesError(await first, RESILIENCE_ERRORS.circuitOpen), "opened at t=0, the retry at t=10 is rejected");
    assert.equal(consecutive.state, "open");
    await clock.advance(90);
    assert.equal(consecutive.state, "halfOpen");
    const probe = pipeline.execute(() => Promise.reject(new Error("probe failed"))).catch((e: unknown) => e);
    await clock.advance(10);
    const error = await probe;
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.circuitOpen), "the retry after the failed probe is rejected");
    assert.equal(error.details.retryAfterMs, 90, "reopened at t=100 for 100 ms, asked at t=110");
    assert.deepEqual(giveUps, ["notRetryable", "notRetryable"]);
  });
});

/** Fails attempt 1, succeeds with the attempt number after. */
function flakyOnce(attempt: number): number {
  if (attempt === 1) throw new Error("first attempt fails");
  return attempt;
}
