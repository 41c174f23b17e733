import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, NinesError, SeededRandom } from "@nines/core";
import { exponentialBackoff } from "./backoff.js";
import { parseCircuitBreakerJSON } from "./breaker-state.js";
import { type CircuitBreaker, type CircuitBreakerOptions, circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS } from "./errors.js";

const OPEN = RESILIENCE_ERRORS.circuitOpen;

function setup(options: Omit<CircuitBreakerOptions, "clock">) {
  const clock = new ManualClock(1_000_000);
  const breaker = circuitBreaker({ clock, ...options });
  const ok = () => breaker.execute(() => "ok");
  const fail = async (error: unknown = new Error("boom")) => {
    await assert.rejects(
      breaker.execute(() => {
        throw error;
      }),
      (e) => e === error,
    );
  };
  const slowCall = async (ms: number) => {
    const pending = breaker.execute(() => clock.sleep(ms).then(() => "slow"));
    await clock.advance(ms);
    return pending;
  };
  return { clock, breaker, ok, fail, slowCall };
}

async function rejected(breaker: CircuitBreaker): Promise<NinesError> {
  let caught: unknown;
  let ran = false;
  try {
    await breaker.execute(() => {
      ran = true;
    });
  } catch (error) {
    caught = error;
  }
  assert.equal(ran, false, "the operation must not run when rejected");
  assert.ok(isNinesError(caught, OPEN), `expected ${OPEN}, got ${String(caught)}`);
  return caught;
}

describe("circuit breaker: consecutive failures", () => {
  test("opens after exactly `failureThreshold` consecutive failures; a success resets the streak", async () => {
    const { breaker, ok, fail } = setup({ window: { kind: "consecutive", failureThreshold: 3 }, openMs: 5000 });
    await fail();
    await fail();
    assert.equal(await ok(), "ok");
    await fail();
    await fail();
    assert.equal(breaker.state, "closed");
    await fail();
    assert.equal(breaker.state, "open");
    const error = await rejected(breaker);
    assert.equal(error.details.retryAfterMs, 5000);
    assert.match(error.message, /next probe is allowed in 5000 ms/);
  });

  test("the probe is allowed at exactly the open duration, not 1 ms earlier; other callers are rejected fast", async () => {
    const { clock, breaker, fail } = setup({ window: { kind: "consecutive", failureThreshold: 1 }, openMs: 5000 });
    await fail();
    await clock.advance(4999);
    assert.equal((await rejected(breaker)).details.retryAfterMs, 1);
    await clock.advance(1);
    assert.equal(breaker.state, "halfOpen");
    let release = () => {};
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve("probe"))));
    await clock.flush();
    const other = await rejected(breaker);
    assert.equal(other.details.state, "halfOpen");
    assert.equal(other.details.retryAfterMs, 5000);
    assert.equal(
      other.message,
      'circuit breaker "circuit" is half-open and its probe is running; if it fails, the next probe is allowed in about 5000 ms (the last open duration)',
    );
    release();
    assert.equal(await probe, "probe");
    assert.equal(breaker.state, "closed");
  });
});

describe("circuit breaker: half-open probes and open backoff", () => {
  test("admits exactly halfOpenProbes probes; all must succeed to close", async () => {
    const { clock, breaker, fail, ok } = setup({
      window: { kind: "consecutive", failureThreshold: 1 },
      openMs: 1000,
      halfOpenProbes: 2,
    });
    await fail();
    await clock.advance(1000);
    const gates: Array<() => void> = [];
    const probes = [1, 2].map(() => breaker.execute(() => new Promise<void>((r) => gates.push(r))));
    await clock.flush();
    assert.equal(gates.length, 2);
    assert.match((await rejected(breaker)).message, /half-open and its 2 probes are running; if they fail, the next/);
    gates[0]?.();
    await probes[0];
    assert.equal(breaker.state, "halfOpen", "one of two probes succeeded: still half-open");
    await rejected(breaker); // one slot succeeded, one running: no third probe
    gates[1]?.();
    await probes[1];
    assert.equal(breaker.state, "closed");
    assert.equal(await ok(), "ok");
  });

  test("a failed probe reopens with a growing open duration: 1000, 2000, 4000, 8000, 8000; closing resets it", async () => {
    const { clock, breaker, fail, ok } = setup({
      window: { kind: "consecutive", failureThreshold: 1 },
      openMs: exponentialBackoff({ initialDelayMs: 1000, multiplier: 2, maxDelayMs: 8000, jitter: "none" }),
    });
    const durations: number[] = [];
    breaker.on("open", (e) => durations.push(e.openMs));
    await fail();
    for (let i = 0; i < 4; i++) {
      await clock.advance(durations.at(-1) ?? 0);
      await fail();
    }
    assert.deepEqual(durations, [1000, 2000, 4000, 8000, 8000]);
    await clock.advance(8000);
    await ok();
    await fail();
    assert.deepEqual(durations.at(-1), 1000);
  });

  test("equal jitter draws the open duration from [d/2, d) with the injected random", async () => {
    const random = new SeededRandom(7);
    const twin = new SeededRandom(7);
    const { clock, breaker, fail } = setup({
      window: { kind: "consecutive", failureThreshold: 1 },
      openMs: exponentialBackoff({ initialDelayMs: 1000, maxDelayMs: 10_000, jitter: "equal", random }),
    });
    const durations: number[] = [];
    breaker.on("open", (e) => durations.push(e.openMs));
    await fail();
    await clock.advance(durations[0] as number);
    await fail();
    assert.deepEqual(durations, [500 + twin.next() * 500, 1000 + twin.next() * 1000]);
  });
});

describe("circuit breaker: failure-rate windows", () => {
  test("count window: no rate before minimumCalls; opens at >= threshold, also on the call that reaches minimumCalls", async () => {
    const { breaker, ok, fail } = setup({
      window: { kind: "count", size: 10, minimumCalls: 5, failureRateThreshold: 0.5 },
    });
    for (let i = 0; i < 4; i++) await fail();
    assert.equal(breaker.state, "closed", "4 failures < minimumCalls 5");
    await ok(); // 4 of 5 = 0.8 >= 0.5
    assert.equal(breaker.state, "open");
  });

  test("count window: 5 of 10 (= 0.5) opens, 4 of 10 does not; old calls slide out of the ring", async () => {
    const { breaker, ok, fail } = setup({
      window: { kind: "count", size: 10, minimumCalls: 10, failureRateThreshold: 0.5 },
    });
    for (let i = 0; i < 4; i++) await fail();
    for (let i = 0; i < 6; i++) await ok();
    assert.deepEqual(breaker.snapshot().window, { calls: 10, failures: 4, slowCalls: 0 });
    for (let i = 0; i < 4; i++) await ok(); // the 4 failures slide out
    assert.deepEqual(breaker.snapshot().window, { calls: 10, failures: 0, slowCalls: 0 });
    for (let i = 0; i < 4; i++) await fail();
    assert.equal(breaker.state, "closed");
    await fail();
    assert.equal(breaker.state, "open");
  });

  test("a threshold like 0.3 is exact: 3 of 10 opens", async () => {
    const { breaker, ok, fail } = setup({
      window: { kind: "count", size: 10, minimumCalls: 10, failureRateThreshold: 0.3 },
    });
    for (let i = 0; i < 7; i++) await ok();
    await fail();
    await fail();
    await fail();
    assert.equal(breaker.state, "open");
  });

  test("time window: failures older than the window no longer count", async () => {
    const { clock, breaker, ok, fail } = setup({
      window: { kind: "time", windowMs: 10_000, buckets: 10, minimumCalls: 4, failureRateThreshold: 0.5 },
    });
    await fail();
    await fail();
    await fail(); // 3 calls < minimumCalls
    await clock.advance(10_000); // every bucket rotated out
    assert.deepEqual(breaker.snapshot().window, { calls: 0, failures: 0, slowCalls: 0 });
    await ok();
    await ok();
    await fail();
    assert.equal(breaker.state, "closed", "1 of 3");
    await clock.advance(9000); // still inside 10 buckets
    await fail(); // 2 of 4 = 0.5
    assert.equal(breaker.state, "open");
  });

  test("time window: a bucket leaves once it is `buckets` buckets old", async () => {
    const { clock, breaker, fail, ok } = setup({
      window: { kind: "time", windowMs: 1000, buckets: 4, minimumCalls: 1, failureRateThreshold: 1 },
    });
    await ok(); // t = 1_000_000, bucket [1_000_000, 1_000_250)
    await clock.advance(999);
    assert.equal(breaker.snapshot().window.calls, 1);
    await clock.advance(1);
    assert.equal(breaker.snapshot().window.calls, 0);
    await fail();
    assert.equal(breaker.state, "open");
  });

  test("slow calls: a call longer than slowCallMs (>) is slow; slow rate >= threshold opens", async () => {
    const { breaker, slowCall, ok } = setup({
      window: { kind: "count", size: 4, minimumCalls: 4, failureRateThreshold: 1, slowCallRateThreshold: 0.5 },
      slowCallMs: 100,
    });
    await slowCall(100); // exactly 100: not slow
    await ok();
    await slowCall(101);
    assert.deepEqual(breaker.snapshot().window, { calls: 3, failures: 0, slowCalls: 1 });
    await slowCall(150); // 2 of 4 slow = 0.5
    assert.equal(breaker.state, "open");
  });

  test("slow calls in a consecutive window count towards the streak; a slow probe fails", async () => {
    const { clock, breaker, slowCall } = setup({
      window: { kind: "consecutive", failureThreshold: 2 },
      slowCallMs: 10,
      openMs: 100,
    });
    await slowCall(11);
    await slowCall(11);
    assert.equal(breaker.state, "open");
    await clock.advance(100);
    await slowCall(11);
    assert.equal(breaker.state, "open");
  });
});

describe("circuit breaker: what never counts", () => {
  test("bulkhead full, overloaded, aborted, throttled and caller aborts are ignored; timeouts count", async () => {
    const { breaker, fail } = setup({ window: { kind: "consecutive", failureThreshold: 1 } });
    const ignored: unknown[] = [];
    breaker.on("ignored", (e) => ignored.push(e.error));
    for (const code of [
      RESILIENCE_ERRORS.bulkheadFull,
      RESILIENCE_ERRORS.overloaded,
      RESILIENCE_ERRORS.aborted,
      RESILIENCE_ERRORS.throttled,
    ]) {
      await fail(new NinesError(code, "x"));
    }
    const controller = new AbortController();
    const aborted = breaker.execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
        ),
      controller.signal,
    );
    controller.abort();
    await assert.rejects(aborted, (e) => isNinesError(e, RESILIENCE_ERRORS.aborted));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ignored.length, 5);
    assert.equal(breaker.state, "closed");
    await fail(new NinesError(RESILIENCE_ERRORS.timeout, "slow"));
    assert.equal(breaker.state, "open");
  });

  test("a context aborted by a timeout counts the resulting AbortError as a failure, a caller abort does not", async () => {
    const { breaker } = setup({ window: { kind: "consecutive", failureThreshold: 1 } });
    const context = (reason: unknown) => {
      const controller = new AbortController();
      controller.abort(reason);
      return { signal: controller.signal, attempt: 1, deadlineAt: Number.POSITIVE_INFINITY, remainingMs: () => 1 };
    };
    const abortError = () => Promise.reject(new DOMException("aborted", "AbortError"));
    await assert.rejects(breaker.run(abortError, context(new DOMException("caller gave up", "AbortError"))));
    assert.equal(breaker.state, "closed");
    await assert.rejects(breaker.run(abortError, context(new NinesError(RESILIENCE_ERRORS.timeout, "timed out"))));
    assert.equal(breaker.state, "open");
  });

  test("isFailure false ignores an error; an ignored probe frees its slot", async () => {
    const { clock, breaker, fail, ok } = setup({
      window: { kind: "consecutive", failureThreshold: 1 },
      openMs: 10,
      isFailure: (e) => !(e instanceof RangeError),
    });
    await fail(new RangeError("ignored"));
    assert.equal(breaker.state, "closed");
    await fail();
    await clock.advance(10);
    await fail(new NinesError(RESILIENCE_ERRORS.bulkheadFull, "full"));
    assert.equal(breaker.state, "halfOpen");
    assert.equal(await ok(), "ok", "the slot was freed for another probe");
    assert.equal(breaker.state, "closed");
  });

  test("a call admitted while closed that fails after the circuit opened is not taken as a probe", async () => {
    const { clock, breaker, fail } = setup({ window: { kind: "consecutive", failureThreshold: 1 }, openMs: 10 });
    let failLate = () => {};
    const late = breaker.execute(() => new Promise<void>((_, reject) => (failLate = () => reject(new Error("late")))));
    await clock.flush();
    await fail();
    await clock.advance(10);
    assert.equal(breaker.state, "halfOpen");
    failLate();
    await assert.rejects(late);
    assert.equal(breaker.state, "halfOpen");
  });
});

describe("circuit breaker: ramp-up after closing", () => {
  test("admits a linearly growing fraction (10% -> 100% over rampUpMs); the rest is rejected fast", async () => {
    const random = new SeededRandom(42);
    const twin = new SeededRandom(42);
    const { clock, breaker, fail, ok } = setup({
      window: { kind: "consecutive", failureThreshold: 1 },
      openMs: 100,
      rampUpMs: 10_000,
      random,
    });
    await fail();
    await clock.advance(100);
    await ok(); // probe closes at t0
    assert.equal(breaker.snapshot().admittedFraction, 0.1);
    await clock.advance(5000);
    assert.equal(breaker.snapshot().admittedFraction, 0.55);
    let admitted = 0;
    let expected = 0;
    for (let i = 0; i < 1000; i++) {
      if (twin.next() < 0.55) expected++;
      try {
        await ok();
        admitted++;
      } catch (error) {
        assert.ok(isNinesError(error, OPEN));
        assert.equal(error.details.retryAfterMs, 0);
        assert.equal(error.details.admittedFraction, 0.55);
      }
    }
    assert.equal(admitted, expected);
    assert.ok(admitted > 500 && admitted < 600, `about 55%, got ${admitted}`);
    await clock.advance(5000);
    for (let i = 0; i < 100; i++) await ok();
    assert.equal(breaker.snapshot().admittedFraction, 1);
  });
});

describe("circuit breaker: isolate, reset, events", () => {
  test("isolate rejects everything until reset; the error has no retryAfterMs", async () => {
    const { clock, breaker, ok } = setup({ window: { kind: "consecutive", failureThreshold: 1 } });
    const states: string[] = [];
    breaker.on("stateChange", (e) => states.push(`${e.from}->${e.to}`));
    breaker.isolate();
    const error = await rejected(breaker);
    assert.equal(error.details.retryAfterMs, undefined);
    assert.match(error.message, /isolated by hand/);
    await clock.advance(1e9);
    await rejected(breaker);
    breaker.reset();
    assert.equal(await ok(), "ok");
    assert.deepEqual(states, ["closed->isolated", "isolated->closed"]);
  });

  test("emits the lifecycle in order", async () => {
    const { clock, breaker, ok, fail } = setup({ window: { kind: "consecutive", failureThreshold: 2 }, openMs: 50 });
    const log: string[] = [];
    for (const type of ["open", "halfOpen", "closed", "success", "failure", "rejection"] as const)
      breaker.on(type, () => log.push(type));
    await ok();
    await fail();
    await fail();
    await rejected(breaker);
    await clock.advance(50);
    await ok();
    assert.deepEqual(log, ["success", "failure", "failure", "open", "rejection", "halfOpen", "success", "closed"]);
  });
});

describe("circuit breaker: JSON state", () => {
  test("an open circuit restored in a new process rejects with the same retryAfterMs and probes on time", async () => {
    const first = setup({ window: { kind: "count", size: 4, minimumCalls: 2, failureRateThreshold: 1 }, openMs: 3000 });
    await first.fail();
    await first.fail();
    await first.clock.advance(1000);
    const saved = JSON.parse(JSON.stringify(first.breaker.toJSON()));
    const clock = new ManualClock(first.clock.now());
    const again = circuitBreaker({
      clock,
      window: { kind: "count", size: 4, minimumCalls: 2, failureRateThreshold: 1 },
      openMs: 3000,
      initialState: saved,
    });
    assert.equal((await rejected(again)).details.retryAfterMs, 2000);
    await clock.advance(2000);
    assert.equal(await again.execute(() => "probe"), "probe");
    assert.equal(again.state, "closed");
  });

  test("a closed window restored keeps its recent failures", async () => {
    const options = { window: { kind: "count", size: 4, minimumCalls: 4, failureRateThreshold: 0.5 } } as const;
    const first = setup(options);
    await first.ok();
    await first.fail();
    await first.ok();
    const again = circuitBreaker({ clock: first.clock, ...options, initialState: first.breaker.toJSON() });
    assert.deepEqual(again.snapshot().window, { calls: 3, failures: 1, slowCalls: 0 });
    await assert.rejects(again.execute(() => Promise.reject(new Error("x"))));
    assert.equal(again.state, "open");
  });

  test("broken saved state throws NINES_OPTION_INVALID naming the field", () => {
    assert.throws(
      () =>
        parseCircuitBreakerJSON({ version: 1, state: "open", openings: 1, window: { kind: "consecutive", streak: 0 } }),
      (e) => isNinesError(e, "NINES_OPTION_INVALID") && /initialState\.halfOpenAt/.test(e.message),
    );
    assert.throws(
      () =>
        circuitBreaker({
          window: { kind: "consecutive", failureThreshold: 1 },
          initialState: { version: 2 } as never,
        }),
      (e) => isNinesError(e, "NINES_OPTION_INVALID") && /initialState\.version/.test(e.message),
    );
  });
});

describe("circuit breaker: options", () => {
  const bad: Array<[string, Partial<CircuitBreakerOptions>]> = [
    ["window.failureThreshold", { window: { kind: "consecutive", failureThreshold: 0 } }],
    ["window.size", { window: { kind: "count", size: 0, failureRateThreshold: 0.5 } }],
    ["window.minimumCalls", { window: { kind: "count", size: 5, minimumCalls: 6, failureRateThreshold: 0.5 } }],
    ["window.failureRateThreshold", { window: { kind: "count", size: 5, failureRateThreshold: 1.5 } }],
    ["window.failureRateThreshold", { window: { kind: "time", windowMs: 1000, failureRateThreshold: 0 } }],
    [
      "window.slowCallRateThreshold",
      { window: { kind: "count", size: 5, failureRateThreshold: 1, slowCallRateThreshold: -1 } },
    ],
    ["window.windowMs", { window: { kind: "time", windowMs: -1, failureRateThreshold: 0.5 } }],
    ["openMs", { window: { kind: "consecutive", failureThreshold: 1 }, openMs: -5 }],
    ["halfOpenProbes", { window: { kind: "consecutive", failureThreshold: 1 }, halfOpenProbes: 0 }],
    ["rampUpMs", { window: { kind: "consecutive", failureThreshold: 1 }, rampUpMs: -1 }],
    ["rampUpStartFraction", { window: { kind: "consecutive", failureThreshold: 1 }, rampUpStartFraction: 2 }],
    ["slowCallMs", { window: { kind: "consecutive", failureThreshold: 1 }, slowCallMs: -1 }],
  ];
  for (const [option, options] of bad) {
    test(`rejects a bad ${option}`, () => {
      assert.throws(
        () => circuitBreaker(options as CircuitBreakerOptions),
        (e) => isNinesError(e, "NINES_OPTION_INVALID") && e.message.includes(`option ${option} `),
      );
    });
  }
});

describe("circuit breaker: snapshot (docs/resilience.md, Snapshot)", () => {
  test("window counts since the last open/close, openings since the last close, retryAfterMs, admittedFraction", async () => {
    const { clock, breaker, ok, fail } = setup({
      window: { kind: "consecutive", failureThreshold: 2 },
      openMs: 100,
      rampUpMs: 1000,
      random: new SeededRandom(1),
    });
    await ok();
    await fail();
    assert.deepEqual(breaker.snapshot(), {
      state: "closed",
      window: { calls: 2, failures: 1, slowCalls: 0 },
      openings: 0,
      retryAfterMs: 0,
      admittedFraction: 1,
    });
    await fail();
    await clock.advance(40);
    assert.deepEqual(breaker.snapshot(), {
      state: "open",
      window: { calls: 0, failures: 0, slowCalls: 0 },
      openings: 1,
      retryAfterMs: 60,
      admittedFraction: 0,
    });
    await clock.advance(60);
    await fail(); // the probe fails: open again, second opening
    assert.equal(breaker.snapshot().openings, 2);
    await clock.advance(100);
    await ok(); // the probe succeeds: closed, ramping from 10%
    await clock.advance(500);
    assert.deepEqual(breaker.snapshot(), {
      state: "closed",
      window: { calls: 0, failures: 0, slowCalls: 0 },
      openings: 0,
      retryAfterMs: 0,
      admittedFraction: 0.1 + 0.9 * 0.5,
    });
  });
});
