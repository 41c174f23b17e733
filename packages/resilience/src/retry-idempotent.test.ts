// Issue 8, item 17: `retry({})` does not retry a call that is not marked
// idempotent (the safe default), and says so, while the error keeps the
// failure's own code: callers, breakers and fallbacks see what happened.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";
import { wrap } from "./pipeline.js";
import { type GiveUpReason, retry } from "./retry.js";

const upstream503 = () =>
  new ResilienceError(RESILIENCE_ERRORS.httpStatus, "GET http://orders/1 answered 503", {
    hint: "the dependency failed",
    details: { status: 503, url: "http://orders/1" },
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail("must reject"),
    (error: unknown) => error,
  );
}

describe("retry({}): not idempotent by default, and the error says so", () => {
  test("one call; the error keeps the failure's code and details, says why, and has the failure as cause", async () => {
    const policy = retry({ clock: new ManualClock() });
    const reasons: GiveUpReason[] = [];
    policy.on("giveUp", ({ reason }) => reasons.push(reason));
    const original = upstream503();
    let calls = 0;
    const error = await rejection(
      policy.execute(() => {
        calls++;
        throw original;
      }),
    );
    assert.equal(calls, 1);
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.httpStatus), String(error));
    assert.equal(error.code, RESILIENCE_ERRORS.httpStatus);
    assert.equal(error.name, "ResilienceError");
    assert.equal(error.cause, original);
    assert.deepEqual(error.details, {
      status: 503,
      url: "http://orders/1",
      notRetried: "notIdempotent",
      attempts: 1,
    });
    assert.equal(
      error.message,
      "GET http://orders/1 answered 503 (not retried: the operation is not marked idempotent)",
    );
    assert.match(String(error.hint), /idempotent: true/);
    assert.match(String(error.hint), /the dependency failed/);
    assert.deepEqual(reasons, ["notIdempotent"]);
  });

  test("a failure without a nines code becomes NOT_IDEMPOTENT with the failure as cause", async () => {
    const original = new TypeError("socket hang up");
    const error = await rejection(
      retry({ clock: new ManualClock() }).execute(() => {
        throw original;
      }),
    );
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.notIdempotent));
    assert.equal(error.cause, original);
    assert.equal(error.message, "retry: socket hang up (not retried: the operation is not marked idempotent)");
    assert.equal(error.details.notRetried, "notIdempotent");
  });

  test("a breaker above classifies the error as the failure it carries", async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 10 } });
    const policy = wrap(breaker, retry({ clock }));
    await rejection(
      policy.execute(() => {
        throw upstream503();
      }),
    );
    const overloaded = new ResilienceError(RESILIENCE_ERRORS.overloaded, "shed", { details: { retryAfterMs: 5 } });
    const error = await rejection(
      policy.execute(() => {
        throw overloaded;
      }),
    );
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.overloaded));
    assert.equal(error.details.retryAfterMs, 5);
    assert.deepEqual(breaker.snapshot().window, { calls: 1, failures: 1, slowCalls: 0 }, "503 counted, overload not");
  });

  test("marked idempotent per call, the same policy retries", async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, backoff: { initialDelayMs: 0 } });
    let calls = 0;
    const value = await policy.execute(
      () => {
        calls++;
        if (calls === 1) throw upstream503();
        return "ok";
      },
      undefined,
      { idempotent: true },
    );
    assert.equal(value, "ok");
    assert.equal(calls, 2);
  });
});
