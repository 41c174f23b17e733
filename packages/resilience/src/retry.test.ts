import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, OPTION_INVALID, SeededRandom } from "@nines/core";
import { exponentialBackoff } from "./backoff.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { wrap } from "./pipeline.js";
import type { ExecutionContext } from "./policy.js";
import { type RetryEvents, type RetryOptions, retry } from "./retry.js";
import { parseRetryAfter } from "./retry-after.js";
import { retryBudget } from "./retry-budget.js";
import { timeout } from "./timeout.js";

const NO_JITTER = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 10_000, jitter: "none" } as const;

/** A retry on a manual clock that records when each attempt started and every event. */
function setup(options: RetryOptions = {}) {
  const clock = new ManualClock();
  const policy = retry({ clock, backoff: NO_JITTER, idempotent: true, ...options });
  const calls: number[] = [];
  const attempts: number[] = [];
  const events: { type: keyof RetryEvents; event: unknown }[] = [];
  for (const type of ["success", "failure", "retry", "giveUp"] as const) {
    policy.on(type, (event) => events.push({ type, event }));
  }
  /** An operation that fails `failures` times, then returns "ok". */
  const flaky = (failures: number, error: () => unknown = () => new Error("boom")) => {
    return (context: ExecutionContext) => {
      calls.push(clock.now());
      attempts.push(context.attempt);
      if (calls.length <= failures) throw error();
      return "ok";
    };
  };
  return { clock, policy, calls, attempts, events, flaky };
}

function lastGiveUp(events: { type: keyof RetryEvents; event: unknown }[]): string | undefined {
  const last = events.at(-1);
  assert.equal(last?.type, "giveUp");
  return (last?.event as RetryEvents["giveUp"] | undefined)?.reason;
}

async function settle<T>(clock: ManualClock, promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  const result = Promise.allSettled([promise]);
  await clock.runAll();
  return (await result)[0] as PromiseSettledResult<T>;
}

describe("retry: attempts and backoff", () => {
  test("retries at exactly the backoff delays (100, then 200) and reports attempt numbers", async () => {
    const { clock, policy, calls, attempts, flaky, events } = setup();
    const result = await settle(clock, policy.execute(flaky(2)));
    assert.deepEqual(result, { status: "fulfilled", value: "ok" });
    assert.deepEqual(calls, [0, 100, 300]);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(events.at(-1), { type: "success", event: { attempts: 3 } });
    assert.deepEqual(
      events.filter((e) => e.type === "retry").map((e) => (e.event as RetryEvents["retry"]).delayMs),
      [100, 200],
    );
  });

  test("maxAttempts counts the first call: 3 means 3 calls, then the last error is thrown", async () => {
    const { clock, policy, calls, events, flaky } = setup({ maxAttempts: 3 });
    let n = 0;
    const result = await settle(clock, policy.execute(flaky(10, () => new Error(`boom ${++n}`))));
    assert.equal(result.status, "rejected");
    assert.equal((result as PromiseRejectedResult).reason.message, "boom 3");
    assert.deepEqual(calls, [0, 100, 300]);
    const counts = Object.fromEntries(
      ["failure", "retry", "giveUp", "success"].map((t) => [t, events.filter((e) => e.type === t).length]),
    );
    assert.deepEqual(counts, { failure: 3, retry: 2, giveUp: 1, success: 0 });
    const giveUp = events.find((e) => e.type === "giveUp")?.event as RetryEvents["giveUp"];
    assert.equal(giveUp.attempts, 3);
    assert.equal(giveUp.reason, "maxAttempts");
  });

  test("maxAttempts 1 never retries", async () => {
    const { clock, policy, calls, flaky } = setup({ maxAttempts: 1 });
    const result = await settle(clock, policy.execute(flaky(1)));
    assert.equal(result.status, "rejected");
    assert.deepEqual(calls, [0]);
  });

  test("the delays are truncated at maxDelayMs", async () => {
    const { clock, policy, calls, flaky } = setup({
      maxAttempts: 6,
      backoff: { initialDelayMs: 100, multiplier: 3, maxDelayMs: 1000, jitter: "none" },
    });
    await settle(clock, policy.execute(flaky(10)));
    // Delays 100, 300, 900, 1000 (truncated from 2700), 1000.
    assert.deepEqual(calls, [0, 100, 400, 1300, 2300, 3300]);
  });

  test("full jitter draws the delays from the injected random: the same seed gives the same timeline", async () => {
    const clock = new ManualClock();
    const policy = retry({
      clock,
      random: new SeededRandom(42),
      maxAttempts: 4,
      idempotent: true,
      backoff: { initialDelayMs: 100, maxDelayMs: 10_000 },
    });
    const calls: number[] = [];
    await settle(
      clock,
      policy.execute(() => {
        calls.push(clock.now());
        throw new Error("boom");
      }),
    );
    const expected = exponentialBackoff({
      initialDelayMs: 100,
      maxDelayMs: 10_000,
      jitter: "full",
      random: new SeededRandom(42),
    });
    let t = 0;
    const times = [0];
    for (let retry = 1; retry <= 3; retry++) {
      t += expected.delayMs(retry, 0);
      times.push(t);
    }
    assert.deepEqual(calls, times);
    assert.ok(calls[1] !== 100, "jittered");
  });

  test("a result predicate retries values and returns the last value when attempts run out", async () => {
    const { clock, policy, calls, events } = setup({ maxAttempts: 3, isFailureResult: (value) => value === "busy" });
    const result = await settle(
      clock,
      policy.execute(() => {
        calls.push(clock.now());
        return "busy";
      }),
    );
    assert.deepEqual(result, { status: "fulfilled", value: "busy" });
    assert.deepEqual(calls, [0, 100, 300]);
    assert.equal(events.filter((e) => e.type === "success").length, 0);
    assert.equal(lastGiveUp(events), "maxAttempts");
  });
});

describe("retry: what is retried", () => {
  test("an error the predicate rejects is thrown at once, unchanged", async () => {
    const { clock, policy, calls, flaky } = setup({ isFailure: (e) => (e as Error).message !== "fatal" });
    const error = new Error("fatal");
    const result = await settle(clock, policy.execute(flaky(5, () => error)));
    assert.deepEqual(result, { status: "rejected", reason: error });
    assert.deepEqual(calls, [0]);
  });

  for (const code of [
    RESILIENCE_ERRORS.aborted,
    RESILIENCE_ERRORS.bulkheadFull,
    RESILIENCE_ERRORS.circuitOpen,
    RESILIENCE_ERRORS.throttled,
  ]) {
    test(`${code} is not retried by default`, async () => {
      const { clock, policy, calls, flaky } = setup();
      const result = await settle(clock, policy.execute(flaky(5, () => new NinesError(code, "no"))));
      assert.equal(result.status, "rejected");
      assert.ok(isNinesError((result as PromiseRejectedResult).reason, code));
      assert.deepEqual(calls, [0]);
    });
  }

  test("timeouts and server overload are retried by default", async () => {
    for (const code of [RESILIENCE_ERRORS.timeout, RESILIENCE_ERRORS.overloaded]) {
      const { clock, policy, calls, flaky } = setup();
      const result = await settle(clock, policy.execute(flaky(1, () => new NinesError(code, "again"))));
      assert.deepEqual(result, { status: "fulfilled", value: "ok" });
      assert.equal(calls.length, 2);
    }
  });

  test("circuit-open is retried only when the caller's predicate says so, after its retryAfterMs", async () => {
    const { clock, policy, calls, flaky } = setup({
      isFailure: (e) => isNinesError(e, RESILIENCE_ERRORS.circuitOpen),
    });
    const open = () => new NinesError(RESILIENCE_ERRORS.circuitOpen, "open", { details: { retryAfterMs: 2500 } });
    const result = await settle(clock, policy.execute(flaky(1, open)));
    assert.deepEqual(result, { status: "fulfilled", value: "ok" });
    assert.deepEqual(calls, [0, 2500]);
  });

  test("not idempotent: no retry, NOT_IDEMPOTENT with the original error as cause", async () => {
    const { clock, policy, calls, flaky, events } = setup({ idempotent: false });
    const error = new Error("boom");
    const result = await settle(clock, policy.execute(flaky(1, () => error)));
    assert.equal(result.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason;
    assert.ok(isNinesError(reason, RESILIENCE_ERRORS.notIdempotent));
    assert.equal(reason.cause, error);
    assert.deepEqual(calls, [0]);
    assert.equal(lastGiveUp(events), "notIdempotent");
  });

  test("idempotent per execute wins over the policy option, both ways", async () => {
    const a = setup({ idempotent: false });
    assert.deepEqual(await settle(a.clock, a.policy.execute(a.flaky(1), undefined, { idempotent: true })), {
      status: "fulfilled",
      value: "ok",
    });
    assert.equal(a.calls.length, 2);
    const b = setup({ idempotent: true });
    const result = await settle(b.clock, b.policy.execute(b.flaky(1), undefined, { idempotent: false }));
    assert.ok(isNinesError((result as PromiseRejectedResult).reason, RESILIENCE_ERRORS.notIdempotent));
    assert.equal(b.calls.length, 1);
  });

  test("an error thrown by a non-idempotent call that would not be retried anyway is thrown unchanged", async () => {
    const { clock, policy, flaky } = setup({ idempotent: false, maxAttempts: 1 });
    const error = new Error("boom");
    assert.deepEqual(await settle(clock, policy.execute(flaky(1, () => error))), { status: "rejected", reason: error });
  });
});

describe("retry: Retry-After", () => {
  test("details.retryAfterMs longer than the backoff delays the retry to it", async () => {
    const { clock, policy, calls, flaky } = setup();
    const busy = () => new NinesError(RESILIENCE_ERRORS.overloaded, "busy", { details: { retryAfterMs: 1500 } });
    await settle(clock, policy.execute(flaky(2, busy)));
    assert.deepEqual(calls, [0, 1500, 3000]);
  });

  test("a shorter Retry-After keeps the backoff delay", async () => {
    const { clock, policy, calls, flaky } = setup();
    const busy = () => new NinesError(RESILIENCE_ERRORS.overloaded, "busy", { details: { retryAfterMs: 10 } });
    await settle(clock, policy.execute(flaky(1, busy)));
    assert.deepEqual(calls, [0, 100]);
  });

  test("a Retry-After above maxRetryAfterMs gives up at once", async () => {
    const { clock, policy, calls, flaky, events } = setup({ maxRetryAfterMs: 1000 });
    const busy = () => new NinesError(RESILIENCE_ERRORS.overloaded, "busy", { details: { retryAfterMs: 1001 } });
    const result = await settle(clock, policy.execute(flaky(1, busy)));
    assert.equal(result.status, "rejected");
    assert.deepEqual(calls, [0]);
    assert.equal(lastGiveUp(events), "retryAfterTooLong");
  });

  test("a result extractor reads Retry-After from a response (seconds and HTTP date)", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const responses = [
      { status: 503, retryAfter: "3" },
      { status: 429, retryAfter: new Date(Date.UTC(2026, 0, 1) + 3000 + 7000).toUTCString() },
      { status: 200, retryAfter: null },
    ];
    const calls: number[] = [];
    const policy = retry({
      clock,
      idempotent: true,
      backoff: NO_JITTER,
      isFailureResult: (r) => (r as { status: number }).status >= 429,
      retryAfterMs: (outcome) =>
        outcome.ok
          ? parseRetryAfter((outcome.value as { retryAfter: string | null }).retryAfter, clock.now())
          : undefined,
    });
    const result = await settle(
      clock,
      policy.execute(() => {
        calls.push(clock.now() - Date.UTC(2026, 0, 1));
        return responses[calls.length - 1];
      }),
    );
    assert.deepEqual(result, { status: "fulfilled", value: responses[2] });
    assert.deepEqual(calls, [0, 3000, 10_000]);
  });

  test("parseRetryAfter: seconds, HTTP dates, past dates and garbage", () => {
    assert.equal(parseRetryAfter("120", 0), 120_000);
    assert.equal(parseRetryAfter(" 1.5 ", 0), 1500);
    assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000);
    assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 20_000), 0);
    assert.equal(parseRetryAfter("soon", 0), undefined);
    assert.equal(parseRetryAfter("-5", 0), undefined);
    assert.equal(parseRetryAfter(null, 0), undefined);
  });
});

describe("retry: time budget and deadlines", () => {
  test("maxElapsedMs: never sleeps past it (attempts at 0, 100, 300, 700; the next would start at 1500 > 1000)", async () => {
    const { clock, policy, calls, flaky, events } = setup({
      maxAttempts: Number.POSITIVE_INFINITY,
      maxElapsedMs: 1000,
    });
    const result = await settle(clock, policy.execute(flaky(100)));
    assert.equal(result.status, "rejected");
    assert.deepEqual(calls, [0, 100, 300, 700]);
    assert.equal(clock.now(), 700);
    assert.equal(lastGiveUp(events), "deadline");
  });

  test("minAttemptMs: no attempt starts with that little time left", async () => {
    // After the attempt at 300 the next would start at 700 with 300 ms left: < 350, so no.
    const { clock, policy, calls, flaky } = setup({ maxAttempts: 10, maxElapsedMs: 1000, minAttemptMs: 350 });
    await settle(clock, policy.execute(flaky(100)));
    assert.deepEqual(calls, [0, 100, 300]);
    // With exactly 300 left it is still too little (strictly more is needed).
    const b = setup({ maxAttempts: 10, maxElapsedMs: 1000, minAttemptMs: 300 });
    await settle(b.clock, b.policy.execute(b.flaky(100)));
    assert.deepEqual(b.calls, [0, 100, 300]);
    const c = setup({ maxAttempts: 10, maxElapsedMs: 1000, minAttemptMs: 299 });
    await settle(c.clock, c.policy.execute(c.flaky(100)));
    assert.deepEqual(c.calls, [0, 100, 300, 700]);
  });

  test("an outer timeout's deadline bounds the retries and the operation sees the remaining time", async () => {
    const clock = new ManualClock();
    const calls: { at: number; remainingMs: number; deadlineAt: number }[] = [];
    const policy = wrap(
      timeout({ timeoutMs: 1000, clock }),
      retry({ clock, backoff: NO_JITTER, idempotent: true, maxAttempts: 20 }),
    );
    const result = await settle(
      clock,
      policy.execute((context) => {
        calls.push({ at: clock.now(), remainingMs: context.remainingMs(), deadlineAt: context.deadlineAt });
        throw new Error("boom");
      }),
    );
    assert.equal(result.status, "rejected");
    assert.deepEqual(calls, [
      { at: 0, remainingMs: 1000, deadlineAt: 1000 },
      { at: 100, remainingMs: 900, deadlineAt: 1000 },
      { at: 300, remainingMs: 700, deadlineAt: 1000 },
      { at: 700, remainingMs: 300, deadlineAt: 1000 },
    ]);
    // It gave up at 700 with the operation's error, before the timeout fired.
    assert.equal((result as PromiseRejectedResult).reason.message, "boom");
    assert.equal(clock.pending, 0);
  });
});

describe("retry: abort", () => {
  test("an abort during the backoff sleep rejects at once with ABORTED and makes no further call", async () => {
    const { clock, policy, calls, flaky, events } = setup({ maxAttempts: 5 });
    const controller = new AbortController();
    const pending = Promise.allSettled([policy.execute(flaky(10), controller.signal)]);
    await clock.advance(50);
    assert.deepEqual(calls, [0]);
    controller.abort(new Error("user left"));
    const [result] = await pending;
    assert.equal(clock.now(), 50);
    assert.equal(result?.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason;
    assert.ok(isNinesError(reason, RESILIENCE_ERRORS.aborted));
    assert.equal((reason.cause as Error).message, "user left");
    await clock.runAll();
    assert.deepEqual(calls, [0]);
    assert.equal(clock.pending, 0);
    assert.equal(lastGiveUp(events), "aborted");
  });

  test("an error thrown because the caller aborted is ABORTED, not retried", async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, idempotent: true, backoff: NO_JITTER });
    const controller = new AbortController();
    let calls = 0;
    const pending = Promise.allSettled([
      policy.execute(async ({ signal }) => {
        calls++;
        await clock.sleep(1000, signal);
      }, controller.signal),
    ]);
    await clock.advance(10);
    controller.abort();
    const [result] = await pending;
    assert.ok(isNinesError((result as PromiseRejectedResult).reason, RESILIENCE_ERRORS.aborted));
    await clock.runAll();
    assert.equal(calls, 1);
  });

  test("an already aborted signal: the operation never runs", async () => {
    const { policy, calls, flaky } = setup();
    await assert.rejects(policy.execute(flaky(0), AbortSignal.abort()), (e) =>
      isNinesError(e, RESILIENCE_ERRORS.aborted),
    );
    assert.deepEqual(calls, []);
  });
});

describe("retry: options are validated when built", () => {
  const cases: [RetryOptions, string][] = [
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ maxAttempts: 1.5 }, "maxAttempts"],
    [{ maxElapsedMs: -1 }, "maxElapsedMs"],
    [{ minAttemptMs: -1 }, "minAttemptMs"],
    [{ maxRetryAfterMs: -1 }, "maxRetryAfterMs"],
    [{ backoff: { initialDelayMs: -1 } }, "initialDelayMs"],
    [{ backoff: { multiplier: 0.5 } }, "multiplier"],
    [{ backoff: { initialDelayMs: 100, maxDelayMs: 50 } }, "maxDelayMs"],
    [{ backoff: { jitter: "sometimes" as "full" } }, "jitter"],
    [{ isFailure: 3 as unknown as () => boolean }, "isFailure"],
  ];
  for (const [options, option] of cases) {
    test(`${option}: ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => retry(options),
        (e) => isNinesError(e, OPTION_INVALID) && e.details.option === option && e.message.includes(option),
      );
    });
  }
});

test("retry: a success listener added or removed later is honoured", async () => {
  const policy = retry({ idempotent: true });
  const seen: number[] = [];
  assert.equal(await policy.execute(() => 1), 1);
  const off = policy.on("success", (e) => seen.push(e.attempts));
  assert.equal(await policy.execute(() => 2), 2);
  off();
  assert.equal(await policy.execute(() => 3), 3);
  assert.deepEqual(seen, [1]);
});

describe("retry: shared retry budget", () => {
  test("each execution records one request; a retry happens only while the gate says yes", async () => {
    const clock = new ManualClock();
    const gate = {
      requests: 0,
      allowed: 1,
      recordRequest() {
        this.requests++;
      },
      tryRetry() {
        return this.allowed-- > 0;
      },
    };
    const policy = retry({ clock, idempotent: true, maxAttempts: 5, backoff: NO_JITTER, budget: gate });
    const reasons: string[] = [];
    policy.on("giveUp", (e) => reasons.push(e.reason));
    let calls = 0;
    const failing = () => {
      calls++;
      throw new Error("down");
    };
    await settle(clock, policy.execute(failing));
    assert.equal(gate.requests, 1);
    assert.equal(calls, 2, "one retry allowed, then refused");
    await settle(clock, policy.execute(failing));
    assert.equal(gate.requests, 2);
    assert.equal(calls, 3, "no retry left");
    assert.deepEqual(reasons, ["budgetExhausted", "budgetExhausted"]);
  });

  test("with the package's retryBudget shared by two call sites", async () => {
    const clock = new ManualClock();
    const budget = retryBudget({ clock, ratio: 0.5, minRetriesPerSecond: 0 });
    const a = retry({ clock, idempotent: true, maxAttempts: 3, backoff: NO_JITTER, budget });
    const b = retry({ clock, idempotent: true, maxAttempts: 3, backoff: NO_JITTER, budget });
    let calls = 0;
    const ok = () => "ok";
    const failing = () => {
      calls++;
      throw new Error("down");
    };
    // Four successful requests deposit 4 x 0.5 = 2 retries (plus the failing ones' own deposits).
    for (let i = 0; i < 4; i++) await a.execute(ok);
    await settle(clock, b.execute(failing));
    await settle(clock, a.execute(failing));
    // 6 requests x 0.5 = 3 retries in all: b used 2 (3 calls), a got 1 (2 calls).
    assert.equal(calls, 5);
  });
});
