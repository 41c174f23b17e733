import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, SeededRandom } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { adaptiveThrottle } from "./throttle.js";

const overloaded = () => new NinesError(RESILIENCE_ERRORS.overloaded, "shed", { details: { retryAfterMs: 1000 } });

async function outcome(promise: Promise<unknown>): Promise<"ok" | "throttled" | "rejected" | "error"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isNinesError(error, RESILIENCE_ERRORS.throttled)) return "throttled";
    if (isNinesError(error, RESILIENCE_ERRORS.overloaded)) return "rejected";
    return "error";
  }
}

describe("adaptive throttling", () => {
  test("probability is max(0, (requests - K * accepts) / (requests + 1)), exactly", async () => {
    const clock = new ManualClock(0);
    const throttle = adaptiveThrottle({ clock, random: new SeededRandom(1) });
    for (let i = 0; i < 2; i++) await throttle.execute(() => "ok");
    assert.deepEqual(throttle.snapshot(), { requests: 2, accepts: 2, probability: 0 });
    // 2 accepts cover up to 4 requests at K = 2: no local rejection yet.
    for (let i = 0; i < 2; i++)
      assert.equal(await outcome(throttle.execute(() => Promise.reject(overloaded()))), "rejected");
    assert.deepEqual(throttle.snapshot(), { requests: 4, accepts: 2, probability: 0 });
    assert.equal(await outcome(throttle.execute(() => Promise.reject(overloaded()))), "rejected");
    assert.deepEqual(throttle.snapshot(), { requests: 5, accepts: 2, probability: 1 / 6 });
  });

  test("local rejections follow the seeded coin exactly and count as requests", async () => {
    const clock = new ManualClock(0);
    const throttle = adaptiveThrottle({ clock, random: new SeededRandom(99) });
    const twin = new SeededRandom(99);
    // The backend accepts 10, then rejects everything.
    for (let i = 0; i < 10; i++) await throttle.execute(() => "ok");
    let requests = 10;
    const accepts = 10;
    const expected: string[] = [];
    const actual: string[] = [];
    let sent = 0;
    for (let i = 0; i < 300; i++) {
      const p = Math.max(0, (requests - 2 * accepts) / (requests + 1));
      expected.push(p > 0 && twin.next() < p ? "throttled" : "rejected");
      requests++;
      actual.push(
        await outcome(
          throttle.execute(() => {
            sent++;
            return Promise.reject(overloaded());
          }),
        ),
      );
    }
    assert.deepEqual(actual, expected);
    const throttled = actual.filter((o) => o === "throttled").length;
    assert.equal(sent, 300 - throttled);
    assert.deepEqual(throttle.snapshot(), {
      requests: 310,
      accepts: 10,
      probability: (310 - 20) / 311,
    });
    assert.ok(throttled > 200, `most calls are rejected locally once the backend rejects everything (${throttled})`);
  });

  test("the window slides: after two minutes without traffic the probability is 0 again", async () => {
    const clock = new ManualClock(0);
    const throttle = adaptiveThrottle({ clock, random: new SeededRandom(3) });
    for (let i = 0; i < 20; i++) await outcome(throttle.execute(() => Promise.reject(overloaded())));
    assert.ok(throttle.snapshot().probability > 0.9);
    await clock.advance(119_999);
    assert.ok(throttle.snapshot().probability > 0.9);
    await clock.advance(1);
    assert.deepEqual(throttle.snapshot(), { requests: 0, accepts: 0, probability: 0 });
  });

  test("the rejection is NINES_RESILIENCE_THROTTLED with the probability and a retry hint", async () => {
    const clock = new ManualClock(0);
    const throttle = adaptiveThrottle({ clock, random: { next: () => 0 }, k: 1.5, windowMs: 10_000, buckets: 10 });
    await outcome(throttle.execute(() => Promise.reject(overloaded())));
    const error = await throttle
      .execute(() => "never")
      .then(
        () => assert.fail("expected a local rejection"),
        (e: unknown) => e,
      );
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.throttled));
    assert.equal(error.details.probability, 0.5);
    assert.equal(error.details.retryAfterMs, 1000);
    assert.match(error.message, /accepted 0 of 1 request in the window/);
  });

  test("application errors count as accepted; timeouts as rejections; aborts and bulkhead rejections not at all", async () => {
    const clock = new ManualClock(0);
    const throttle = adaptiveThrottle({ clock, random: new SeededRandom(5) });
    await outcome(throttle.execute(() => Promise.reject(new Error("404 not found"))));
    assert.deepEqual(throttle.snapshot(), { requests: 1, accepts: 1, probability: 0 });
    await outcome(throttle.execute(() => Promise.reject(new NinesError(RESILIENCE_ERRORS.timeout, "slow"))));
    assert.deepEqual(throttle.snapshot(), { requests: 2, accepts: 1, probability: 0 });
    await outcome(throttle.execute(() => Promise.reject(new NinesError(RESILIENCE_ERRORS.bulkheadFull, "full"))));
    const controller = new AbortController();
    const aborted = throttle.execute(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
      controller.signal,
    );
    controller.abort();
    await outcome(aborted);
    await clock.flush();
    assert.deepEqual(throttle.snapshot(), { requests: 2, accepts: 1, probability: 0 });
  });

  test("rejects bad options naming them", () => {
    for (const [option, options] of [
      ["k", { k: 0.5 }],
      ["windowMs", { windowMs: 0 }],
      ["buckets", { buckets: 1.5 }],
    ] as const) {
      assert.throws(
        () => adaptiveThrottle(options),
        (e) => isNinesError(e, "NINES_OPTION_INVALID") && e.message.includes(`option ${option} `),
      );
    }
  });
});
