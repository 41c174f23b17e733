import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID } from "@nines/core";
import { RESILIENCE_ERRORS } from "./errors.js";
import { Execution } from "./execution-context.js";
import { type ForwardingRun, forwardFailures } from "./forwarding.js";
import { wrap } from "./pipeline.js";
import type { ExecutionContext, PipelineStage } from "./policy.js";
import { retry } from "./retry.js";
import { timeout } from "./timeout.js";

/** A stage that records what it sees and passes the context on. */
function spy(name: string, log: string[]): PipelineStage {
  const stage: PipelineStage = {
    run(next, context) {
      log.push(`${name}:${context.attempt}`);
      return next(context);
    },
    execute(operation, signal) {
      return wrap(stage).execute(operation, signal);
    },
  };
  return stage;
}

describe("wrap", () => {
  test("runs stages outermost first, down to the operation, every time", async () => {
    const log: string[] = [];
    const policy = wrap(spy("a", log), spy("b", log));
    assert.equal(await policy.execute(() => 1), 1);
    assert.equal(await policy.execute(() => 2), 2);
    assert.deepEqual(log, ["a:1", "b:1", "a:1", "b:1"]);
  });

  test("nested pipelines are flattened when built", () => {
    const log: string[] = [];
    const a = spy("a", log);
    const b = spy("b", log);
    const c = spy("c", log);
    assert.deepEqual(wrap(wrap(a, b), c).stages, [a, b, c]);
  });

  test("a pipeline used as a stage of a foreign composition runs its stages around next", async () => {
    const log: string[] = [];
    const inner = wrap(spy("a", log), spy("b", log));
    const context = Execution.root(() => "unused", undefined, undefined);
    const value = await inner.run(async (c) => `next saw attempt ${c.attempt}`, context);
    assert.equal(value, "next saw attempt 1");
    assert.deepEqual(log, ["a:1", "b:1"]);
  });

  test("sync values and sync throws of the operation become a promise", async () => {
    const policy = wrap();
    assert.equal(await policy.execute(() => "sync"), "sync");
    const error = new Error("sync throw");
    await assert.rejects(
      policy.execute(() => {
        throw error;
      }),
      (e) => e === error,
    );
  });

  test("rejects non-stages when built", () => {
    assert.throws(
      () => wrap({} as PipelineStage),
      (e) => isNinesError(e, OPTION_INVALID) && e.details.option === "stages",
    );
  });

  test("the retry's attempts are numbered in the context the operation gets", async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const policy = wrap(retry({ clock, idempotent: true, backoff: { initialDelayMs: 0 } }));
    const result = policy.execute(({ attempt }) => {
      seen.push(attempt);
      if (attempt < 3) throw new Error("again");
      return "third";
    });
    await clock.runAll();
    assert.equal(await result, "third");
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test("idempotent per execute reaches the context", async () => {
    const seen: (boolean | undefined)[] = [];
    const probe: PipelineStage = {
      run(next, context) {
        seen.push(Execution.of(context).idempotent);
        return next(context);
      },
      execute: () => Promise.reject(new Error("unused")),
    };
    const policy = wrap(probe);
    await policy.execute(() => 1);
    await policy.execute(() => 1, undefined, { idempotent: true });
    await policy.execute(() => 1, undefined, { idempotent: false });
    assert.deepEqual(seen, [undefined, true, false]);
  });
});

describe("execution context and caller aborts", () => {
  test("without a caller signal: no deadline, remaining Infinity, a signal that never aborts", async () => {
    const seen: ExecutionContext[] = [];
    await wrap().execute((context) => {
      seen.push(context);
    });
    const [context] = seen;
    assert.equal(context?.attempt, 1);
    assert.equal(context?.deadlineAt, Number.POSITIVE_INFINITY);
    assert.equal(context?.remainingMs(), Number.POSITIVE_INFINITY);
    assert.equal(context?.signal.aborted, false);
  });

  test("an aborted signal before the call: ABORTED and the operation never runs", async () => {
    let ran = false;
    await assert.rejects(
      wrap().execute(() => {
        ran = true;
      }, AbortSignal.abort("gone")),
      (e) => isNinesError(e, RESILIENCE_ERRORS.aborted) && e.cause === "gone",
    );
    assert.equal(ran, false);
  });

  test("a caller abort rejects at once with ABORTED even if the operation ignores it; no listener is left", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const result = wrap().execute((context) => {
      signal = context.signal;
      return clock.sleep(1000).then(() => "ignored the abort");
    }, controller.signal);
    const settled = Promise.allSettled([result]);
    await clock.advance(10);
    controller.abort(new Error("user navigated away"));
    const [outcome] = await settled;
    assert.equal(clock.now(), 10);
    assert.equal(outcome?.status, "rejected");
    const reason = (outcome as PromiseRejectedResult).reason;
    assert.ok(isNinesError(reason, RESILIENCE_ERRORS.aborted));
    assert.notEqual(reason.code, RESILIENCE_ERRORS.timeout);
    assert.equal(signal, controller.signal);
    await clock.runAll();
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  test("listeners on the caller's signal are removed after each call (no leak over many calls)", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const policy = wrap(timeout({ timeoutMs: 100, clock }));
    for (let i = 0; i < 50; i++) {
      await policy.execute(({ signal }) => {
        assert.equal(signal.aborted, false);
        return i;
      }, controller.signal);
    }
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  test("a timeout's child aborts without aborting the caller's signal; the caller's abort reaches the child", () => {
    const clock = new ManualClock();
    const caller = new AbortController();
    const root = Execution.root(() => 0, caller.signal, undefined);
    const a = root.withDeadline(100, { clock });
    const b = root.withDeadline(200, { clock });
    assert.equal(a.signal.aborted, false);
    a.abort(new Error("x") as never);
    assert.equal(a.signal.aborted, true);
    assert.equal(a.aborted, true);
    assert.equal(root.aborted, false);
    assert.equal(caller.signal.aborted, false);
    const bSignal = b.signal;
    caller.abort("stop");
    assert.equal(bSignal.aborted, true);
    assert.equal(b.callerAborted, true);
    assert.ok(isNinesError(b.abortError(), RESILIENCE_ERRORS.aborted));
    a.dispose();
    b.dispose();
  });

  test("withDeadline keeps the earlier deadline; remainingMs() follows the clock and never goes negative", async () => {
    const clock = new ManualClock(1000);
    const root = Execution.root(() => 0, undefined, undefined);
    const outer = root.withDeadline(1500, { clock });
    const inner = outer.withDeadline(9000, { clock });
    assert.equal(inner.deadlineAt, 1500);
    const { remainingMs } = inner;
    assert.equal(remainingMs(), 500);
    await clock.advance(600);
    assert.equal(inner.remainingMs(), 0);
  });
});

describe("foreign contexts", () => {
  test("a stage run with a context made elsewhere adopts it: signal, attempt and deadline are kept", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const foreign: ExecutionContext = {
      signal: controller.signal,
      attempt: 1,
      deadlineAt: 10_000,
      remainingMs: () => 10_000 - clock.now(),
    };
    const policy = retry({ clock, idempotent: true, maxAttempts: 5, backoff: { initialDelayMs: 100, jitter: "none" } });
    const seen: { attempt: number; remainingMs: number }[] = [];
    const result = policy.run(async (context) => {
      seen.push({ attempt: context.attempt, remainingMs: context.remainingMs() });
      throw new Error("down");
    }, foreign);
    const settled = Promise.allSettled([result]);
    await clock.advance(150);
    controller.abort("stop");
    const [outcome] = await settled;
    assert.deepEqual(seen, [
      { attempt: 1, remainingMs: 10_000 },
      { attempt: 2, remainingMs: 9900 },
    ]);
    assert.ok(isNinesError((outcome as PromiseRejectedResult).reason, RESILIENCE_ERRORS.aborted));
    assert.equal(clock.pending, 0);
  });
});

describe("failure forwarding (one promise hop for a retry and the stage below it)", () => {
  /** A stage that honours onFailure and records whether it got one. */
  function forwarding(log: string[]): PipelineStage {
    let failures = 0;
    const run: ForwardingRun = (next, context, onFailure) => {
      log.push(`run attempt ${context.attempt} onFailure=${onFailure !== undefined}`);
      return next(context).then(undefined, (error: unknown) => {
        failures++;
        log.push(`failure ${failures}`);
        if (onFailure !== undefined) return onFailure(error);
        throw error;
      });
    };
    const stage: PipelineStage = {
      run: (next, context) => run(next, context, undefined),
      execute: () => Promise.reject(new Error("unused")),
    };
    forwardFailures(stage, run);
    return stage;
  }

  test("a retry right above hands its continuation on the first attempt; failures are counted once and retried", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const policy = wrap(
      retry({ clock, idempotent: true, maxAttempts: 3, backoff: { initialDelayMs: 0 } }),
      forwarding(log),
    );
    let calls = 0;
    const result = policy.execute(() => {
      calls++;
      if (calls < 3) throw new Error(`fail ${calls}`);
      return "third";
    });
    await clock.runAll();
    assert.equal(await result, "third");
    assert.deepEqual(log, [
      "run attempt 1 onFailure=true",
      "failure 1",
      "run attempt 2 onFailure=false",
      "failure 2",
      "run attempt 3 onFailure=false",
    ]);
  });

  test("a forwarding stage that is not right below a retry gets no continuation", async () => {
    const log: string[] = [];
    const policy = wrap(retry({ idempotent: true, maxAttempts: 1 }), spy("plain", log), forwarding(log));
    await assert.rejects(
      policy.execute(() => Promise.reject(new Error("x"))),
      /x/,
    );
    assert.deepEqual(log, ["plain:1", "run attempt 1 onFailure=false", "failure 1"]);
  });

  test("an aggressive timeout below a retry continues once, even when the operation fails after the time ran out", async () => {
    const clock = new ManualClock();
    const policy = wrap(
      retry({ clock, idempotent: true, maxAttempts: 3, backoff: { initialDelayMs: 100, jitter: "none" } }),
      timeout({ timeoutMs: 50, clock }),
    );
    const starts: number[] = [];
    const result = Promise.allSettled([
      policy.execute(async () => {
        starts.push(clock.now());
        await clock.sleep(80); // ignores its signal, then fails after the timeout
        throw new Error("late failure");
      }),
    ]);
    await clock.runAll();
    const [outcome] = await result;
    // Timeouts at 50, 200, 450 (after waits of 100 and 200): exactly 3 attempts.
    assert.deepEqual(starts, [0, 150, 400]);
    assert.ok(isNinesError((outcome as PromiseRejectedResult).reason, RESILIENCE_ERRORS.timeout));
  });
});
