import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID, SeededRandom } from "@nines/core";
import { CALL_POLICY_DEFAULTS, type CallDescription, callPolicy } from "./call-policy.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { retryBudget } from "./retry-budget.js";

/** Runs the description's pipeline on a manual clock against an operation that always fails; returns attempt start times. */
async function attemptsOf(description: CallDescription, seed = 1) {
  const clock = new ManualClock(0);
  const built = callPolicy(description, { clock, random: new SeededRandom(seed) });
  const starts: number[] = [];
  const result = Promise.allSettled([
    built.pipeline.execute(() => {
      starts.push(clock.now());
      throw new Error("down");
    }),
  ]);
  await clock.runAll();
  const [settled] = await result;
  return { built, starts, settled: settled as PromiseSettledResult<unknown> };
}

describe("callPolicy", () => {
  test("a bare target builds an empty pipeline: one attempt, no stage", async () => {
    const { built, starts, settled } = await attemptsOf({ target: "analytics", optional: true });
    assert.deepEqual(starts, [0]);
    assert.equal(settled.status, "rejected");
    assert.equal(built.pipeline.stages.length, 0);
    assert.equal(built.retry, undefined);
    assert.equal(built.breaker, undefined);
    assert.equal(built.budget, undefined);
    assert.equal(built.timeout, undefined);
  });

  test("retries: 2 is maxAttempts 3, exponential backoff without jitter waits 100 then 200 ms", async () => {
    const { starts } = await attemptsOf({ target: "orders", retries: 2, backoff: "exponential", jitter: false });
    assert.deepEqual(starts, [0, 100, 300]);
  });

  test("full jitter draws each delay in [0, d) from the injected random, the same for the same seed", async () => {
    const description: CallDescription = { target: "orders", retries: 3, backoff: "exponential", jitter: true };
    const a = await attemptsOf(description, 7);
    const b = await attemptsOf(description, 7);
    assert.deepEqual(a.starts, b.starts);
    assert.equal(a.starts.length, 4);
    const delays = a.starts.slice(1).map((t, i) => t - (a.starts[i] as number));
    delays.forEach((delay, i) => {
      assert.ok(delay >= 0 && delay < 100 * 2 ** i, `retry ${i + 1} waited ${delay} ms, outside [0, ${100 * 2 ** i})`);
    });
    const c = await attemptsOf(description, 8);
    assert.notDeepEqual(a.starts, c.starts, "another seed draws other delays");
  });

  test("linear and constant backoffs step by the base delay; none and null retry at once", async () => {
    const base = CALL_POLICY_DEFAULTS.backoffBaseMs;
    assert.deepEqual((await attemptsOf({ target: "x", retries: 3, backoff: "linear" })).starts, [
      0,
      base,
      3 * base,
      6 * base,
    ]);
    assert.deepEqual((await attemptsOf({ target: "x", retries: 2, backoff: "constant" })).starts, [0, base, 2 * base]);
    assert.deepEqual((await attemptsOf({ target: "x", retries: 2, backoff: "none" })).starts, [0, 0, 0]);
    assert.deepEqual((await attemptsOf({ target: "x", retries: 2, backoff: null })).starts, [0, 0, 0]);
  });

  test("a budget is built only when set, and bounds the retries to its ratio plus its reserve", async () => {
    const clock = new ManualClock(0);
    const withBudget = callPolicy({ target: "orders", retries: 5, backoff: "none", budget: 0.1 }, { clock });
    assert.ok(withBudget.budget !== undefined);
    assert.equal(withBudget.budget.ratio, 0.1);
    const reserve = withBudget.budget.balance; // retries allowed with no traffic (minRetriesPerSecond over the window)
    let attempts = 0;
    const executions = 50;
    for (let i = 0; i < executions; i++) {
      await withBudget.pipeline
        .execute(() => {
          attempts++;
          throw new Error("down");
        })
        .catch(() => undefined);
    }
    const retries = attempts - executions;
    assert.ok(retries <= reserve + executions * 0.1, `retries ${retries} exceed the budget`);
    assert.ok(retries < executions * 5, "the budget refused some retries");
    assert.equal(callPolicy({ target: "orders", retries: 2 }).budget, undefined);
    assert.equal(callPolicy({ target: "orders", retries: 0, budget: 0.2 }).budget, undefined, "no retry, no budget");
  });

  test("a shared budget passed in is the one used", () => {
    const shared = retryBudget({ ratio: 0.2 });
    const a = callPolicy({ target: "orders", retries: 2, budget: 0.2 }, { budget: shared });
    const b = callPolicy({ target: "orders", retries: 1, budget: 0.2 }, { budget: shared });
    assert.equal(a.budget, shared);
    assert.equal(b.budget, shared);
  });

  test("breaker: true opens after half of 10 calls fail, named after the target or the name option", async () => {
    const clock = new ManualClock(0);
    const built = callPolicy({ target: "inventory", breaker: true }, { clock });
    assert.ok(built.breaker !== undefined);
    for (let i = 0; i < 10; i++) {
      await built.pipeline
        .execute(() => {
          throw new Error("down");
        })
        .catch(() => undefined);
    }
    assert.equal(built.breaker.state, "open");
    const refused = await built.pipeline.execute(() => "ok").catch((e: unknown) => e);
    assert.ok(isNinesError(refused, RESILIENCE_ERRORS.circuitOpen));
    assert.match((refused as Error).message, /inventory/);
    assert.equal(built.breaker.name, "inventory");
    const named = callPolicy({ target: "inventory", breaker: true }, { name: "web->inventory" });
    assert.equal(named.breaker?.name, "web->inventory");
  });

  test("timeoutMs bounds each attempt: a hung call is retried, then fails with a timeout", async () => {
    const clock = new ManualClock(0);
    const built = callPolicy({ target: "orders", retries: 1, backoff: "none", timeoutMs: 50 }, { clock });
    const starts: number[] = [];
    const result = Promise.allSettled([
      built.pipeline.execute(({ signal }) => {
        starts.push(clock.now());
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      }),
    ]);
    await clock.runAll();
    const [settled] = await result;
    assert.deepEqual(starts, [0, 50]);
    assert.equal(settled?.status, "rejected");
    assert.ok(isNinesError((settled as PromiseRejectedResult).reason, RESILIENCE_ERRORS.timeout));
  });

  test("stages sit outermost first: retry, breaker, timeout", () => {
    const built = callPolicy({ target: "orders", retries: 2, breaker: true, timeoutMs: 500 });
    assert.deepEqual(built.pipeline.stages, [built.retry, built.breaker, built.timeout]);
  });

  test("the planner's Call shape is accepted (targetKind, nulls)", () => {
    const built = callPolicy({
      target: "orders-db",
      targetKind: "store",
      optional: false,
      retries: 0,
      backoff: null,
      jitter: false,
      breaker: false,
      budget: null,
      timeoutMs: null,
    });
    assert.equal(built.pipeline.stages.length, 0);
  });

  test("bad descriptions are refused naming the field", () => {
    const invalid = (description: unknown, field: string) =>
      assert.throws(
        () => callPolicy(description as CallDescription),
        (e: unknown) => isNinesError(e, OPTION_INVALID) && (e as Error).message.includes(field),
      );
    invalid({ target: "" }, "target");
    invalid({ target: "x", retries: -1 }, "retries");
    invalid({ target: "x", retries: 1.5 }, "retries");
    invalid({ target: "x", backoff: "fibonacci" }, "backoff");
    invalid({ target: "x", budget: 20 }, "budget");
    invalid({ target: "x", timeoutMs: 0 }, "timeoutMs");
    invalid({ target: "x", breaker: "yes" }, "breaker");
    invalid({ target: "x", retires: 2 }, "retires");
    assert.throws(
      () => callPolicy({ target: "x", retires: 2 } as unknown as CallDescription),
      (e: unknown) => (e as { hint?: string }).hint === "did you mean retries?",
    );
  });
});
