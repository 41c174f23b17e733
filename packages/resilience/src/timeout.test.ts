import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { wrap } from "./pipeline.js";
import type { ExecutionContext } from "./policy.js";
import { retry } from "./retry.js";
import { timeout } from "./timeout.js";

const TIMEOUT = RESILIENCE_ERRORS.timeout;

/** Settles `promise` while recording the virtual time at which it settled. */
function track<T>(clock: ManualClock, promise: Promise<T>) {
  const state: { at?: number; value?: T; error?: unknown } = {};
  promise.then(
    (value) => {
      state.at = clock.now();
      state.value = value;
    },
    (error: unknown) => {
      state.at = clock.now();
      state.error = error;
    },
  );
  return state;
}

describe("timeout: aggressive", () => {
  test("rejects with TIMEOUT at exactly ms even when the operation ignores its signal", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock });
    let seen: ExecutionContext | undefined;
    const state = track(
      clock,
      policy.execute((context) => {
        seen = context;
        return clock.sleep(1000).then(() => "late");
      }),
    );
    await clock.advance(99);
    assert.equal(state.at, undefined);
    await clock.advance(1);
    assert.equal(state.at, 100);
    assert.ok(isNinesError(state.error, TIMEOUT));
    assert.equal(state.error.details.timeoutMs, 100);
    // The operation's signal aborted with the same error.
    assert.equal(seen?.signal.aborted, true);
    assert.equal(seen?.signal.reason, state.error);
  });

  test("returns the value when the operation answers in time; the deadline is visible to it", async () => {
    const clock = new ManualClock(5000);
    const policy = timeout({ timeoutMs: 100, clock });
    const seen: number[] = [];
    const state = track(
      clock,
      policy.execute(async (context) => {
        seen.push(context.deadlineAt, context.remainingMs());
        await clock.sleep(40);
        seen.push(context.remainingMs());
        return "ok";
      }),
    );
    await clock.advance(40);
    assert.deepEqual(state, { at: 5040, value: "ok" });
    assert.deepEqual(seen, [5100, 100, 60]);
    assert.equal(seen.length, 3);
  });

  test("an operation error passes through unchanged", async () => {
    const clock = new ManualClock();
    const error = new Error("boom");
    await assert.rejects(
      timeout({ timeoutMs: 100, clock }).execute(() => Promise.reject(error)),
      (e) => e === error,
    );
  });

  test("one shared timer serves many calls; each expires at its own deadline", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock });
    const states = [];
    for (let i = 0; i < 5; i++) {
      states.push(
        track(
          clock,
          policy.execute(() => clock.sleep(1000)),
        ),
      );
      await clock.advance(10);
    }
    // Five calls started at 0, 10, 20, 30, 40; at most two timers exist (the queue's and the sleeps').
    await clock.advance(100);
    assert.deepEqual(
      states.map((s) => s.at),
      [100, 110, 120, 130, 140],
    );
    assert.ok(states.every((s) => isNinesError(s.error, TIMEOUT)));
  });

  test("calls that finish early leave nothing to expire", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock });
    let expired = 0;
    policy.on("timeout", () => expired++);
    for (let i = 0; i < 3; i++) assert.equal(await policy.execute(() => i), i);
    await clock.runAll();
    assert.equal(expired, 0);
    assert.equal(clock.pending, 0);
  });
});

describe("timeout: cooperative", () => {
  test("aborts the signal at ms and rejects with TIMEOUT when the operation stops", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock, mode: "cooperative" });
    const state = track(
      clock,
      policy.execute(({ signal }) => clock.sleep(1000, signal)),
    );
    await clock.advance(100);
    assert.equal(state.at, 100);
    assert.ok(isNinesError(state.error, TIMEOUT));
  });

  test("waits for an operation that ignores its signal and returns its value", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock, mode: "cooperative" });
    let signal: AbortSignal | undefined;
    const state = track(
      clock,
      policy.execute((context) => {
        signal = context.signal;
        return clock.sleep(300).then(() => "late but ok");
      }),
    );
    await clock.advance(100);
    assert.equal(signal?.aborted, true);
    assert.equal(state.at, undefined);
    await clock.advance(200);
    assert.deepEqual(state, { at: 300, value: "late but ok" });
  });
});

describe("timeout: deadlines through the pipeline", () => {
  test("an inner timeout never outlives an outer one: the operation sees the earlier deadline", async () => {
    const clock = new ManualClock();
    const policy = wrap(timeout({ timeoutMs: 300, clock }), timeout({ timeoutMs: 1000, clock }));
    const seen: number[] = [];
    const state = track(
      clock,
      policy.execute((context) => {
        seen.push(context.deadlineAt, context.remainingMs());
        return clock.sleep(5000, context.signal);
      }),
    );
    await clock.advance(300);
    assert.deepEqual(seen, [300, 300]);
    assert.equal(state.at, 300);
    assert.ok(isNinesError(state.error, TIMEOUT));
  });

  test("overall deadline outside, per-attempt timeout inside a retry: exact timeline", async () => {
    const clock = new ManualClock();
    const policy = wrap(
      timeout({ timeoutMs: 1000, clock }),
      retry({ clock, idempotent: true, maxAttempts: 10, backoff: { initialDelayMs: 100, jitter: "none" } }),
      timeout({ timeoutMs: 200, clock }),
    );
    const attempts: { at: number; attempt: number; remainingMs: number }[] = [];
    const state = track(
      clock,
      policy.execute(({ signal, attempt, remainingMs }) => {
        attempts.push({ at: clock.now(), attempt, remainingMs: remainingMs() });
        return clock.sleep(10_000, signal);
      }),
    );
    await clock.runAll();
    // Attempts time out at +200, then wait 100, 200, 400: starts at 0, 300, 700; the next would start at 1300 > 1000.
    assert.deepEqual(attempts, [
      { at: 0, attempt: 1, remainingMs: 200 },
      { at: 300, attempt: 2, remainingMs: 200 },
      { at: 700, attempt: 3, remainingMs: 200 },
    ]);
    assert.equal(state.at, 900);
    assert.ok(isNinesError(state.error, TIMEOUT));
    assert.equal(state.error.details.timeoutMs, 200);
  });

  test("the overall deadline aborts a running attempt and no retry follows", async () => {
    const clock = new ManualClock();
    const policy = wrap(
      timeout({ timeoutMs: 250, clock }),
      retry({ clock, idempotent: true, maxAttempts: 10, backoff: { initialDelayMs: 50, jitter: "none" } }),
    );
    const starts: number[] = [];
    const state = track(
      clock,
      policy.execute(async ({ signal }) => {
        starts.push(clock.now());
        await clock.sleep(100, signal);
        throw new Error("failed after 100 ms");
      }),
    );
    await clock.runAll();
    // 0-100 fail, sleep 50, 150-250: the overall deadline fires at 250 during the second attempt.
    assert.deepEqual(starts, [0, 150]);
    assert.equal(state.at, 250);
    assert.ok(isNinesError(state.error, TIMEOUT));
    assert.equal(state.error.details.timeoutMs, 250);
  });

  test("a caller abort is ABORTED, not TIMEOUT", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const policy = timeout({ timeoutMs: 100, clock, mode: "cooperative" });
    const state = track(
      clock,
      policy.execute(({ signal }) => clock.sleep(1000, signal), controller.signal),
    );
    await clock.advance(30);
    controller.abort();
    await clock.flush();
    assert.equal(state.at, 30);
    assert.ok(isNinesError(state.error, RESILIENCE_ERRORS.aborted));
  });
});

test("timeout: options are validated when built", () => {
  for (const [options, option] of [
    [{ timeoutMs: 0 }, "timeoutMs"],
    [{ timeoutMs: -5 }, "timeoutMs"],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, "timeoutMs"],
    [{ timeoutMs: 10, mode: "lazy" }, "mode"],
  ] as const) {
    assert.throws(
      () => timeout(options as never),
      (e) => isNinesError(e, OPTION_INVALID) && e.details.option === option,
    );
  }
});
