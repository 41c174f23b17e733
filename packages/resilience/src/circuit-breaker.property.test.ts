import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, NinesError, SeededRandom } from "@nines/core";
import fc from "fast-check";
import { exponentialBackoff } from "./backoff.js";
import { type CircuitBreakerOptions, circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import type { FailureWindowOptions } from "./failure-window.js";

const windowArb: fc.Arbitrary<FailureWindowOptions> = fc.oneof(
  fc.record({ kind: fc.constant("consecutive" as const), failureThreshold: fc.integer({ min: 1, max: 5 }) }),
  fc.integer({ min: 1, max: 8 }).chain((size) =>
    fc.record({
      kind: fc.constant("count" as const),
      size: fc.constant(size),
      minimumCalls: fc.integer({ min: 1, max: size }),
      failureRateThreshold: fc.double({ min: 0.05, max: 1, noNaN: true }),
      slowCallRateThreshold: fc.double({ min: 0.05, max: 1, noNaN: true }),
    }),
  ),
  fc.record({
    kind: fc.constant("time" as const),
    windowMs: fc.integer({ min: 10, max: 1000 }),
    buckets: fc.integer({ min: 1, max: 10 }),
    minimumCalls: fc.integer({ min: 1, max: 6 }),
    failureRateThreshold: fc.double({ min: 0.05, max: 1, noNaN: true }),
  }),
);

type Step =
  | { kind: "start"; outcome: "ok" | "fail" | "ignored"; durationMs: number }
  | { kind: "settle"; index: number }
  | { kind: "advance"; ms: number }
  | { kind: "isolate" | "reset" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("start" as const),
      outcome: fc.constantFrom("ok", "fail", "ignored"),
      durationMs: fc.integer({ min: 0, max: 40 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("settle" as const), index: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("isolate" as const, "reset" as const) }) },
);

const optionsArb = fc.record({
  window: windowArb,
  probes: fc.integer({ min: 1, max: 3 }),
  slowCallMs: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  growing: fc.boolean(),
  rampUpMs: fc.constantFrom(0, 100),
  seed: fc.integer(),
});

interface InFlight {
  settle(): void;
  probeOf: number | undefined;
  done: Promise<unknown>;
}

test("breaker invariants hold for any sequence of calls, outcomes and time steps", async () => {
  await fc.assert(
    fc.asyncProperty(optionsArb, fc.array(stepArb, { minLength: 10, maxLength: 80, size: "max" }), async (o, steps) => {
      const clock = new ManualClock(0);
      const options: CircuitBreakerOptions = {
        clock,
        window: o.window,
        halfOpenProbes: o.probes,
        openMs: o.growing
          ? exponentialBackoff({
              initialDelayMs: 50,
              maxDelayMs: 400,
              jitter: "full",
              random: new SeededRandom(o.seed + 1),
            })
          : 100,
        rampUpMs: o.rampUpMs,
        random: new SeededRandom(o.seed),
        ...(o.slowCallMs === undefined ? {} : { slowCallMs: o.slowCallMs }),
      };
      const breaker = circuitBreaker(options);
      const minimumCalls = o.window.kind === "consecutive" ? o.window.failureThreshold : (o.window.minimumCalls ?? 1);
      let episode = 0;
      const probesRunning = new Map<number, number>();
      breaker.on("stateChange", () => episode++);
      // Listeners and operations note violations here; an assert thrown there would be caught by the breaker's caller.
      const violations: string[] = [];
      breaker.on("open", (e) => {
        // Never open from the closed window with fewer than minimumCalls recorded.
        if (e.reason !== "probeFailed" && e.window.calls < minimumCalls)
          violations.push(`opened with ${e.window.calls} calls`);
        if (!(e.openMs >= 0 && e.openMs <= 400)) violations.push(`open for ${e.openMs} ms`);
      });
      const inFlight: InFlight[] = [];
      for (const step of steps) {
        if (step.kind === "start") {
          const stateBefore = breaker.state;
          let settle = () => {};
          const call: InFlight = { settle: () => settle(), probeOf: undefined, done: Promise.resolve() };
          call.done = breaker
            .execute(async () => {
              if (stateBefore === "halfOpen") {
                call.probeOf = episode;
                const running = (probesRunning.get(episode) ?? 0) + 1;
                probesRunning.set(episode, running);
                // Half-open never admits more than the probe count at once.
                if (running > o.probes) violations.push(`${running} probes running, limit ${o.probes}`);
              }
              if (stateBefore === "open" || stateBefore === "isolated")
                violations.push(`admitted while ${stateBefore}`);
              await new Promise<void>((resolve) => (settle = resolve));
              await clock.sleep(step.durationMs);
              if (call.probeOf !== undefined)
                probesRunning.set(call.probeOf, (probesRunning.get(call.probeOf) ?? 1) - 1);
              if (step.outcome === "fail") throw new Error("dependency failed");
              if (step.outcome === "ignored") throw new NinesError(RESILIENCE_ERRORS.bulkheadFull, "full");
              return "ok";
            })
            .catch(() => undefined);
          inFlight.push(call);
          await clock.flush();
        } else if (step.kind === "settle") {
          if (inFlight.length === 0) continue;
          const [call] = inFlight.splice(step.index % inFlight.length, 1);
          call?.settle();
          await clock.flush();
        } else if (step.kind === "advance") {
          await clock.advance(step.ms);
        } else if (step.kind === "isolate") {
          breaker.isolate();
        } else {
          breaker.reset();
        }
        assert.deepEqual(violations, []);
        // The saved state round-trips: a breaker restored from it saves the same JSON.
        const saved = JSON.parse(JSON.stringify(breaker.toJSON()));
        const restored = circuitBreaker({ ...options, initialState: saved });
        assert.deepEqual(restored.toJSON(), saved);
        const snap = breaker.snapshot();
        assert.ok(snap.retryAfterMs >= 0);
        assert.ok(snap.admittedFraction >= 0 && snap.admittedFraction <= 1);
      }
      for (const call of inFlight) call.settle();
      await clock.runAll();
      await Promise.all(inFlight.map((c) => c.done));
    }),
    { numRuns: 150, seed: 20261129 },
  );
});
