import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID, SeededRandom } from "@nines/core";
import fc from "fast-check";
import { constantBackoff, exponentialBackoff, type Jitter } from "./backoff.js";
import { retry } from "./retry.js";

describe("exponentialBackoff: exact formulas", () => {
  test("none: initial * multiplier^(retry-1), truncated at maxDelayMs", () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: "none" });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 1000].map((n) => backoff.delayMs(n, 0)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
  });

  test("full: r * d with r from the injected random", () => {
    const backoff = exponentialBackoff({
      initialDelayMs: 100,
      maxDelayMs: 1000,
      jitter: "full",
      random: new SeededRandom(3),
    });
    const r = new SeededRandom(3);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoff.delayMs(n, 0)),
      [100, 200, 400, 800, 1000].map((d) => r.next() * d),
    );
  });

  test("equal: d/2 + r * d/2", () => {
    const backoff = exponentialBackoff({
      initialDelayMs: 100,
      maxDelayMs: 1000,
      jitter: "equal",
      random: new SeededRandom(5),
    });
    const r = new SeededRandom(5);
    assert.deepEqual(
      [1, 2, 3].map((n) => backoff.delayMs(n, 0)),
      [100, 200, 400].map((d) => d / 2 + (r.next() * d) / 2),
    );
  });

  test("decorrelated: min(max, initial + r * (3 * previous - initial)), previous starting at initial", () => {
    const backoff = exponentialBackoff({
      initialDelayMs: 100,
      maxDelayMs: 1000,
      jitter: "decorrelated",
      random: new SeededRandom(9),
    });
    const r = new SeededRandom(9);
    let previous = 0;
    let expectedPrevious = 100;
    for (let retry = 1; retry <= 8; retry++) {
      const delay = backoff.delayMs(retry, previous);
      const expected = Math.min(1000, 100 + r.next() * (expectedPrevious * 3 - 100));
      assert.equal(delay, expected);
      previous = delay;
      expectedPrevious = delay;
    }
  });

  test("defaults: 100 ms doubling to 30 s, full jitter", () => {
    const backoff = exponentialBackoff({ random: { next: () => 0.999999 } });
    assert.ok(Math.abs(backoff.delayMs(1, 0) - 100) < 0.01);
    assert.ok(Math.abs(backoff.delayMs(30, 0) - 30_000) < 0.1);
    assert.equal(exponentialBackoff({ random: { next: () => 0 } }).delayMs(5, 0), 0);
  });

  test("constantBackoff", () => {
    assert.equal(constantBackoff(250).delayMs(7, 0), 250);
    assert.throws(
      () => constantBackoff(-1),
      (e) => isNinesError(e, OPTION_INVALID),
    );
  });

  test("options are validated when built, naming the option", () => {
    for (const [options, option] of [
      [{ initialDelayMs: -1 }, "initialDelayMs"],
      [{ initialDelayMs: Number.NaN }, "initialDelayMs"],
      [{ multiplier: 0.9 }, "multiplier"],
      [{ maxDelayMs: 10, initialDelayMs: 20 }, "maxDelayMs"],
      [{ maxDelayMs: Number.POSITIVE_INFINITY }, "maxDelayMs"],
      [{ jitter: "random" }, "jitter"],
    ] as const) {
      assert.throws(
        () => exponentialBackoff(options as never),
        (e) => isNinesError(e, OPTION_INVALID) && e.details.option === option,
        JSON.stringify(options),
      );
    }
  });
});

const jitters: Jitter[] = ["none", "full", "equal", "decorrelated"];
const backoffOptions = fc.record({
  initialDelayMs: fc.double({ min: 0, max: 10_000, noNaN: true }),
  extra: fc.double({ min: 0, max: 100_000, noNaN: true }),
  multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
  jitter: fc.constantFrom(...jitters),
  seed: fc.integer(),
});

describe("exponentialBackoff: properties", () => {
  test("every delay is within [0, maxDelayMs], for any options, retry number and previous delay", () => {
    fc.assert(
      fc.property(
        backoffOptions,
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }),
        (o, retries) => {
          const { extra, seed, ...options } = o;
          const maxDelayMs = o.initialDelayMs + extra;
          const backoff = exponentialBackoff({ ...options, maxDelayMs, random: new SeededRandom(seed) });
          let previous = 0;
          for (const n of retries) {
            const delay = backoff.delayMs(n, previous);
            if (!(delay >= 0 && delay <= maxDelayMs)) return false;
            previous = delay;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a retry never sleeps past its deadline: every attempt starts before maxElapsedMs, and the sum of sleeps stays under it", async () => {
    await fc.assert(
      fc.asyncProperty(
        backoffOptions,
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 500 }),
        async (o, maxElapsedMs, minAttemptMs) => {
          const clock = new ManualClock();
          const { extra, seed, ...options } = o;
          const starts: number[] = [];
          const policy = retry({
            clock,
            idempotent: true,
            maxAttempts: 30,
            maxElapsedMs,
            minAttemptMs,
            backoff: { ...options, maxDelayMs: o.initialDelayMs + extra, random: new SeededRandom(seed) },
          });
          const done = policy
            .execute(() => {
              starts.push(clock.now());
              throw new Error("always");
            })
            .catch(() => clock.now());
          await clock.runAll();
          const ended = await done;
          // The first attempt starts at 0; every retry starts with more than minAttemptMs left.
          for (const start of starts.slice(1)) {
            if (!(start + minAttemptMs < maxElapsedMs)) return false;
          }
          return ended < maxElapsedMs && ended === starts.at(-1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
