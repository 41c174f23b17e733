// Issue 8, item 16, on virtual time: a timeout stage's one shared timer must
// not outlive its calls (ManualClock.pending was 1 after every settled call
// until the old deadline, and runAll() jumped the clock there), while calls
// that overlap still share one timer and calls that answer at once arm none.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Clock, isNinesError, ManualClock, type Timer } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { wrap } from "./pipeline.js";
import { retry } from "./retry.js";
import { timeout } from "./timeout.js";

/** A ManualClock that counts the timers asked of it. */
function counting(clock: ManualClock): Clock & { scheduled: number } {
  const counted = {
    scheduled: 0,
    now: () => clock.now(),
    sleep: (ms: number, signal?: AbortSignal) => clock.sleep(ms, signal),
    schedule: (ms: number, fn: () => void) => {
      counted.scheduled++;
      return clock.schedule(ms, fn);
    },
  };
  return counted;
}

describe("timeout: a settled call leaves no timer pending (ManualClock)", () => {
  for (const mode of ["aggressive", "cooperative"] as const) {
    test(`${mode}: sequential calls that take time; after each, pending is 0 and time does not jump`, async () => {
      const clock = new ManualClock();
      const policy = timeout({ timeoutMs: 1000, clock, mode });
      for (let i = 0; i < 3; i++) {
        const call = policy.execute(() => clock.sleep(10).then(() => i));
        await clock.flush();
        assert.equal(clock.pending, 2, "the operation's sleep and the stage's timer");
        await clock.advance(10);
        assert.equal(await call, i);
        assert.equal(clock.pending, 0, `no timer left after call ${i}`);
      }
      await clock.runAll();
      assert.equal(clock.now(), 30, "nothing was left to fire at an old deadline");
    });
  }

  test("overlapping calls share one timer; it is cancelled when the last one settles", async () => {
    const base = new ManualClock();
    const clock = counting(base);
    const policy = timeout({ timeoutMs: 1000, clock });
    const calls = [30, 10, 20].map((ms) => policy.execute(() => base.sleep(ms).then(() => ms)));
    await base.flush();
    assert.equal(clock.scheduled, 1, "one timer for three pending calls");
    await base.advance(10);
    await base.advance(10);
    assert.equal(base.pending, 2, "the last sleep and the stage's timer, still needed for the pending call");
    await base.advance(10);
    assert.deepEqual(await Promise.all(calls), [30, 10, 20]);
    assert.equal(base.pending, 0);
  });

  test("a call still pending behind settled ones keeps the timer and times out at its own deadline", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock });
    const quick = policy.execute(() => clock.sleep(5).then(() => "quick"));
    await clock.advance(1);
    const hanging = policy.execute(() => new Promise<never>(() => {}));
    const outcome = hanging.then(
      () => assert.fail("must time out"),
      (error: unknown) => [clock.now(), error] as const,
    );
    await clock.advance(4);
    assert.equal(await quick, "quick");
    assert.equal(clock.pending, 1, "the pending call is still watched");
    await clock.runAll();
    const [at, error] = await outcome;
    assert.equal(at, 101);
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.timeout));
    assert.equal(clock.pending, 0);
  });

  test("calls that answer at once arm no timer", async () => {
    const base = new ManualClock();
    const clock = counting(base);
    const policy = wrap(retry({ clock, idempotent: true }), timeout({ timeoutMs: 500, clock }));
    for (let i = 0; i < 100; i++) assert.equal(await policy.execute(() => i), i);
    assert.equal(clock.scheduled, 0);
    assert.equal(base.pending, 0);
  });
});

/**
 * A virtual clock that, like the simulator's, fires each timer from a
 * `process.nextTick` once the continuations of the previous one have run:
 * a timeout must still arm its timer before that tick, or it would fire at
 * the next event's time instead of its deadline.
 */
class TickClock implements Clock {
  #now = 0;
  #events: { at: number; seq: number; fn: (() => void) | undefined }[] = [];
  #seq = 0;
  now(): number {
    return this.#now;
  }
  schedule(ms: number, fn: () => void): Timer {
    const event = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn: fn as (() => void) | undefined };
    this.#events.push(event);
    this.#events.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return {
      cancel: () => {
        event.fn = undefined;
      },
    };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }
  /** Fires every event, one per tick, each after the microtasks of the one before. */
  runAll(): Promise<void> {
    return new Promise((resolve) => {
      const step = () => {
        const event = this.#events.shift();
        if (event === undefined) return resolve();
        this.#now = Math.max(this.#now, event.at);
        event.fn?.();
        void Promise.resolve().then(() => process.nextTick(step));
      };
      void Promise.resolve().then(() => process.nextTick(step));
    });
  }
}

test("on a clock that fires its timers from ticks (the simulator's), a timeout still fires at its deadline", async () => {
  const clock = new TickClock();
  const policy = wrap(retry({ clock, maxAttempts: 1 }), timeout({ timeoutMs: 100, clock }));
  clock.schedule(500, () => {}); // a later event, that must not fire first
  // The call starts a few continuations after an event fired, as calls do in a simulation.
  const outcome = (async () => {
    await clock.sleep(0);
    await Promise.resolve();
    await Promise.resolve();
    return policy.execute(() => clock.sleep(1000));
  })().then(
    () => assert.fail("must time out"),
    (error: unknown) => [clock.now(), error] as const,
  );
  await clock.runAll();
  const [at, error] = await outcome;
  assert.equal(at, 100);
  assert.ok(isNinesError(error, RESILIENCE_ERRORS.timeout));
});
