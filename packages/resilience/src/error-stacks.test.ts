import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { callPolicy } from "./call-policy.js";
import { circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { timeout } from "./timeout.js";

/** The stack's frames ("    at ..." lines) below the "Name: message" line. */
const frames = (error: unknown) => ((error as Error).stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

describe("errorStacks", () => {
  test("a breaker's refusal and a timeout capture a stack by default", async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ window: { kind: "consecutive", failureThreshold: 1 }, openMs: 1000, clock });
    breaker.isolate();
    const refused = await rejection(breaker.execute(async () => "never"));
    assert.ok(isNinesError(refused, RESILIENCE_ERRORS.circuitOpen));
    assert.ok(frames(refused).length > 0);
    const slow = timeout({ timeoutMs: 10, clock });
    const pending = rejection(slow.execute(() => clock.sleep(100)));
    await clock.advance(10);
    assert.ok(frames(await pending).length > 0);
  });

  test("errorStacks: false builds them without a stack, and leaves Error.stackTraceLimit as it was", async () => {
    const clock = new ManualClock();
    const limit = Error.stackTraceLimit;
    const breaker = circuitBreaker({
      window: { kind: "consecutive", failureThreshold: 1 },
      openMs: 1000,
      clock,
      errorStacks: false,
    });
    breaker.isolate();
    const refused = await rejection(breaker.execute(async () => "never"));
    assert.ok(isNinesError(refused, RESILIENCE_ERRORS.circuitOpen));
    assert.deepEqual(frames(refused), []);
    assert.match(String((refused as Error).stack), /^ResilienceError: circuit breaker/);
    const { pipeline } = callPolicy({ target: "orders", timeoutMs: 10 }, { clock, errorStacks: false });
    const pending = rejection(pipeline.execute(() => clock.sleep(100)));
    await clock.advance(10);
    const timedOut = await pending;
    assert.ok(isNinesError(timedOut, RESILIENCE_ERRORS.timeout));
    assert.deepEqual(frames(timedOut), []);
    assert.equal(Error.stackTraceLimit, limit);
    assert.ok(frames(new Error("after")).length > 0, "errors made afterwards still have their stack");
  });

  test("ResilienceError takes stack: false directly", () => {
    const bare = new ResilienceError(RESILIENCE_ERRORS.throttled, "no stack", { stack: false, details: { a: 1 } });
    assert.deepEqual(frames(bare), []);
    assert.deepEqual(bare.details, { a: 1 });
    assert.ok(frames(new ResilienceError(RESILIENCE_ERRORS.throttled, "stack")).length > 0);
  });
});
