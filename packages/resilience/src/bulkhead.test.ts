import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID } from "@nines/core";
import { bulkhead } from "./bulkhead.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { wrap } from "./pipeline.js";
import { retry } from "./retry.js";

/** An operation the test finishes by hand. */
function gate() {
  const started: string[] = [];
  const open = new Map<string, () => void>();
  const op = (name: string) => () =>
    new Promise<string>((resolve) => {
      started.push(name);
      open.set(name, () => resolve(name));
    });
  const finish = async (name: string) => {
    open.get(name)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { started, op, finish };
}

describe("bulkhead", () => {
  test("runs maxConcurrent calls, queues maxQueue more in order, rejects the next with BULKHEAD_FULL", async () => {
    const pool = bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const { started, op, finish } = gate();
    const a = pool.execute(op("a"));
    const b = pool.execute(op("b"));
    const c = pool.execute(op("c"));
    await assert.rejects(pool.execute(op("d")), (e) => {
      assert.ok(isNinesError(e, RESILIENCE_ERRORS.bulkheadFull));
      assert.deepEqual(e.details, { maxConcurrent: 2, maxQueue: 1 });
      return true;
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ["a", "b"]);
    assert.equal(pool.active, 2);
    assert.equal(pool.queued, 1);
    await finish("a");
    assert.equal(await a, "a");
    assert.deepEqual(started, ["a", "b", "c"]);
    assert.equal(pool.active, 2);
    assert.equal(pool.queued, 0);
    await finish("b");
    await finish("c");
    assert.deepEqual([await b, await c], ["b", "c"]);
    assert.equal(pool.active, 0);
  });

  test("maxQueue 0 (the default) rejects as soon as every slot is busy", async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const { op, finish } = gate();
    const a = pool.execute(op("a"));
    await assert.rejects(
      pool.execute(op("b")),
      (e) =>
        isNinesError(e, RESILIENCE_ERRORS.bulkheadFull) &&
        e.message === "bulkhead: 1 call running (maxConcurrent 1) and 0 queued (maxQueue 0); call rejected",
    );
    await finish("a");
    await a;
  });

  test("a slot is freed when the call fails too", async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    await assert.rejects(pool.execute(() => Promise.reject(new Error("boom"))));
    assert.equal(pool.active, 0);
    assert.equal(await pool.execute(() => "next"), "next");
  });

  test("a queued caller that aborts leaves the queue at once with ABORTED and never runs", async () => {
    const clock = new ManualClock();
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const { started, op, finish } = gate();
    const abandoned: number[] = [];
    pool.on("abandoned", (e) => abandoned.push(e.queued));
    const a = pool.execute(op("a"));
    const controller = new AbortController();
    const b = pool.execute(op("b"), controller.signal);
    assert.equal(pool.queued, 1);
    controller.abort();
    await assert.rejects(b, (e) => isNinesError(e, RESILIENCE_ERRORS.aborted));
    assert.equal(pool.queued, 0);
    assert.deepEqual(abandoned, [0]);
    // Its place is free at once: another caller can queue.
    const c = pool.execute(op("c"));
    assert.equal(pool.queued, 1);
    await finish("a");
    await finish("c");
    assert.deepEqual([await a, await c], ["a", "c"]);
    assert.deepEqual(started, ["a", "c"]);
    assert.equal(clock.pending, 0);
  });

  test("an already aborted caller is not queued", async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const { op, finish } = gate();
    const a = pool.execute(op("a"));
    await assert.rejects(pool.execute(op("b"), AbortSignal.abort()), (e) => isNinesError(e, RESILIENCE_ERRORS.aborted));
    assert.equal(pool.queued, 0);
    await finish("a");
    await a;
  });

  test("a retry does not retry BULKHEAD_FULL by default", async () => {
    const clock = new ManualClock();
    const pool = bulkhead({ maxConcurrent: 1 });
    const policy = wrap(retry({ clock, idempotent: true, maxAttempts: 5 }), pool);
    const { op, finish } = gate();
    const a = policy.execute(op("a"));
    let calls = 0;
    await assert.rejects(
      policy.execute(() => {
        calls++;
      }),
      (e) => isNinesError(e, RESILIENCE_ERRORS.bulkheadFull),
    );
    assert.equal(calls, 0);
    assert.equal(clock.pending, 0);
    await finish("a");
    await a;
  });

  test("options are validated when built", () => {
    for (const [options, option] of [
      [{ maxConcurrent: 0 }, "maxConcurrent"],
      [{ maxConcurrent: 1.5 }, "maxConcurrent"],
      [{ maxConcurrent: 1, maxQueue: -1 }, "maxQueue"],
    ] as const) {
      assert.throws(
        () => bulkhead(options),
        (e) => isNinesError(e, OPTION_INVALID) && e.details.option === option,
      );
    }
  });
});
