import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, OPTION_INVALID } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { fallback } from "./fallback.js";
import { wrap } from "./pipeline.js";
import { timeout } from "./timeout.js";

describe("fallback", () => {
  test("a value replaces a failure; successes pass through", async () => {
    const policy = fallback({ value: "degraded" });
    const seen: unknown[] = [];
    policy.on("fallback", (e) => seen.push(e.error));
    const error = new Error("down");
    assert.equal(await policy.execute(() => Promise.reject(error)), "degraded");
    assert.equal(await policy.execute(() => "fresh"), "fresh");
    assert.deepEqual(seen, [error]);
  });

  test("a function gets the failure and the context", async () => {
    const policy = fallback({
      fn: ({ error }, context) => `cached after ${(error as Error).message} (attempt ${context.attempt})`,
    });
    assert.equal(
      await policy.execute(() => {
        throw new Error("boom");
      }),
      "cached after boom (attempt 1)",
    );
  });

  test("only handled failures: others pass through unchanged", async () => {
    const policy = fallback({ value: 0, isFailure: (e) => isNinesError(e, RESILIENCE_ERRORS.circuitOpen) });
    const open = new NinesError(RESILIENCE_ERRORS.circuitOpen, "open");
    const bug = new TypeError("bug");
    assert.equal(await policy.execute(() => Promise.reject(open)), 0);
    await assert.rejects(
      policy.execute(() => Promise.reject(bug)),
      (e) => e === bug,
    );
  });

  test("isFailureResult replaces values that count as failures", async () => {
    const policy = fallback({ fn: ({ value }) => ({ stale: value }), isFailureResult: (v) => v === null });
    assert.deepEqual(await policy.execute(() => null), { stale: null });
    assert.equal(await policy.execute(() => 1), 1);
  });

  test("a timeout below the fallback is a handled failure", async () => {
    const clock = new ManualClock();
    const policy = wrap(fallback({ value: "late" }), timeout({ timeoutMs: 100, clock }));
    const result = policy.execute(() => clock.sleep(1000));
    await clock.advance(100);
    assert.equal(await result, "late");
  });

  test("a caller abort is never replaced", async () => {
    const clock = new ManualClock();
    const policy = fallback({ value: "nope" });
    const controller = new AbortController();
    const result = policy.execute(({ signal }) => clock.sleep(1000, signal), controller.signal);
    controller.abort();
    await assert.rejects(result, (e) => isNinesError(e, RESILIENCE_ERRORS.aborted));
  });

  test("options: exactly one of value and fn", () => {
    assert.throws(
      () => fallback({}),
      (e) => isNinesError(e, OPTION_INVALID) && e.details.option === "value/fn",
    );
    assert.throws(
      () => fallback({ value: 1, fn: () => 2 }),
      (e) => isNinesError(e, OPTION_INVALID) && e.details.option === "value/fn",
    );
    assert.equal(typeof fallback({ value: undefined }).execute, "function");
  });
});
