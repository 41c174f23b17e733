import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, OPTION_INVALID } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { type HedgingOptions, hedging } from "./hedging.js";

/**
 * Attempt n (1-based) takes `durations[n-1]` ms and then returns `a<n>`, or
 * throws when its duration is negative (after -duration ms). Records the
 * start of each attempt and how its signal ended.
 */
function setup(options: Omit<HedgingOptions, "clock">, durations: number[]) {
  const clock = new ManualClock();
  const policy = hedging({ clock, idempotent: true, ...options });
  const starts: { attempt: number; at: number }[] = [];
  const signals: AbortSignal[] = [];
  const events: string[] = [];
  policy.on("hedge", (e) => events.push(`hedge ${e.attempt}${e.afterError ? " after error" : ""} at ${clock.now()}`));
  policy.on("won", (e) => events.push(`won ${e.attempt} aborted ${e.aborted} at ${clock.now()}`));
  const op = async ({ attempt, signal }: { attempt: number; signal: AbortSignal }) => {
    starts.push({ attempt, at: clock.now() });
    signals[attempt - 1] = signal;
    const duration = durations[attempt - 1] ?? 0;
    await clock.sleep(Math.abs(duration), signal);
    if (duration < 0) throw new Error(`a${attempt} failed`);
    return `a${attempt}`;
  };
  const state: { at?: number; value?: string; error?: unknown } = {};
  const run = (signal?: AbortSignal) =>
    policy.execute(op, signal).then(
      (value) => {
        state.at = clock.now();
        state.value = value;
      },
      (error: unknown) => {
        state.at = clock.now();
        state.error = error;
      },
    );
  return { clock, policy, starts, signals, events, state, run };
}

describe("hedging: timelines", () => {
  test("starts a hedge every delayMs up to maxAttempts; the first success wins, the others are aborted", async () => {
    const { clock, starts, signals, events, state, run } = setup({ delayMs: 100, maxAttempts: 3 }, [500, 150, 10]);
    const done = run();
    await clock.runAll();
    await done;
    assert.deepEqual(starts, [
      { attempt: 1, at: 0 },
      { attempt: 2, at: 100 },
      { attempt: 3, at: 200 },
    ]);
    assert.deepEqual(state, { at: 210, value: "a3" });
    assert.deepEqual(events, ["hedge 2 at 100", "hedge 3 at 200", "won 3 aborted 2 at 210"]);
    assert.ok(isNinesError(signals[0]?.reason, RESILIENCE_ERRORS.aborted));
    assert.equal(signals[0]?.reason.details.hedgeLost, true);
    assert.equal(signals[1]?.aborted, true);
    assert.equal(signals[2]?.aborted, false, "the winner's signal is left alone (its body may still be read)");
    assert.equal(clock.pending, 0);
  });

  test("an answer before delayMs: no hedge, no timer left", async () => {
    const { clock, starts, state, run } = setup({ delayMs: 100, maxAttempts: 3 }, [99]);
    const done = run();
    await clock.advance(99);
    await done;
    assert.deepEqual(state, { at: 99, value: "a1" });
    assert.equal(starts.length, 1);
    assert.equal(clock.pending, 0);
  });

  test("a handled failure starts the next attempt at once", async () => {
    const { clock, starts, events, state, run } = setup({ delayMs: 100, maxAttempts: 3 }, [-30, 50, 500]);
    const done = run();
    await clock.runAll();
    await done;
    assert.deepEqual(starts, [
      { attempt: 1, at: 0 },
      { attempt: 2, at: 30 },
    ]);
    assert.deepEqual(events, ["hedge 2 after error at 30", "won 2 aborted 0 at 80"]);
    assert.deepEqual(state, { at: 80, value: "a2" });
  });

  test("when every attempt fails, the last failure is thrown after the last one ends", async () => {
    const { clock, starts, state, run } = setup({ delayMs: 100, maxAttempts: 2 }, [-300, -150]);
    const done = run();
    await clock.runAll();
    await done;
    assert.deepEqual(
      starts.map((s) => s.at),
      [0, 100],
    );
    assert.equal(state.at, 300);
    assert.equal((state.error as Error).message, "a1 failed");
  });

  test("an unhandled error ends the execution at once and aborts the others", async () => {
    const clock = new ManualClock();
    const policy = hedging({ clock, idempotent: true, delayMs: 10, maxAttempts: 2, isFailure: () => false });
    const signals: AbortSignal[] = [];
    const fatal = new NinesError(RESILIENCE_ERRORS.circuitOpen, "open");
    const result = policy.execute(async ({ attempt, signal }) => {
      signals.push(signal);
      if (attempt === 2) {
        await clock.sleep(5);
        throw fatal;
      }
      await clock.sleep(1000, signal);
      return "slow";
    });
    const settled = Promise.allSettled([result]);
    await clock.advance(15);
    const [outcome] = await settled;
    assert.deepEqual(outcome, { status: "rejected", reason: fatal });
    assert.equal(signals[0]?.aborted, true);
  });

  test("not idempotent: one attempt only, however slow", async () => {
    const { clock, policy, starts } = setup({ delayMs: 10, maxAttempts: 3, idempotent: false }, [100]);
    const clock2 = clock;
    const result = policy.execute(async ({ attempt }) => {
      starts.push({ attempt, at: clock2.now() });
      await clock2.sleep(100);
      return "once";
    });
    await clock.runAll();
    assert.equal(await result, "once");
    assert.equal(starts.length, 1);
  });

  test("a caller abort rejects with ABORTED, aborts every attempt and starts no more", async () => {
    const { clock, starts, signals, state, run } = setup({ delayMs: 100, maxAttempts: 3 }, [1000, 1000, 1000]);
    const controller = new AbortController();
    const done = run(controller.signal);
    await clock.advance(150);
    controller.abort();
    await clock.runAll();
    await done;
    assert.equal(state.at, 150);
    assert.ok(isNinesError(state.error, RESILIENCE_ERRORS.aborted));
    assert.deepEqual(
      starts.map((s) => s.at),
      [0, 100],
    );
    assert.ok(signals.every((s) => s.aborted));
  });

  test("options are validated when built", () => {
    for (const [options, option] of [
      [{ delayMs: -1 }, "delayMs"],
      [{ delayMs: 10, maxAttempts: 0 }, "maxAttempts"],
    ] as const) {
      assert.throws(
        () => hedging(options),
        (e) => isNinesError(e, OPTION_INVALID) && e.details.option === option,
      );
    }
  });
});
