import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { circuitBreaker } from "@nines/resilience";
import { HealthCheck } from "./health-check.js";

/** A check whose answers the test releases one by one. */
function controlled() {
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let calls = 0;
  const check = () =>
    new Promise<void>((resolve, reject) => {
      calls++;
      pending.push({ resolve, reject });
    });
  return { check, pending, calls: () => calls };
}

describe("HealthCheck", () => {
  it("runs once for 100 concurrent probes (single flight) and caches the answer", async () => {
    const clock = new ManualClock();
    const dep = controlled();
    const check = new HealthCheck({ name: "db", check: dep.check, cacheMs: 1000, clock });
    const probes = Array.from({ length: 100 }, () => check.current());
    await clock.flush();
    assert.equal(dep.calls(), 1);
    await clock.advance(7);
    dep.pending[0]?.resolve();
    await Promise.all(probes);
    assert.equal(check.status, "up");
    assert.equal(check.report().latencyMs, 7);
    await Promise.all(Array.from({ length: 100 }, () => check.current()));
    assert.equal(dep.calls(), 1, "fresh result reused");
    await clock.advance(1000);
    const again = check.current();
    await clock.flush();
    assert.equal(dep.calls(), 2, "stale result refreshed");
    dep.pending[1]?.resolve();
    await again;
    assert.equal(check.runs, 2);
  });

  it("counts a check slower than timeoutMs as failed and aborts its signal", async () => {
    const clock = new ManualClock();
    let seen: AbortSignal | undefined;
    const check = new HealthCheck({
      name: "slow",
      timeoutMs: 200,
      check: (signal) => {
        seen = signal;
        return new Promise(() => {});
      },
      clock,
    });
    const probe = check.current();
    await clock.advance(200);
    await probe;
    const report = check.report();
    assert.equal(report.status, "down");
    assert.equal(report.lastRunOk, false);
    assert.match(report.error ?? "", /timed out after 200 ms/);
    assert.equal(report.latencyMs, 200);
    assert.equal(seen?.aborted, true);
    assert.equal(clock.pending, 0);
  });

  it("has hysteresis: one failure does not flap, N failures turn it down, M successes bring it back", async () => {
    const clock = new ManualClock();
    let healthy = true;
    const check = new HealthCheck({
      name: "api",
      cacheMs: 0,
      failureThreshold: 3,
      successThreshold: 2,
      check: () => {
        if (!healthy) throw new Error("connection refused");
      },
      clock,
    });
    const seq: string[] = [];
    const step = async (ok: boolean) => {
      healthy = ok;
      await check.current();
      seq.push(check.status);
    };
    await step(true);
    await step(false);
    await step(true);
    await step(false);
    await step(false);
    await step(false);
    await step(true);
    await step(true);
    assert.deepEqual(seq, ["up", "up", "up", "up", "up", "down", "down", "up"]);
    assert.equal(check.report().consecutiveFailures, 0);
  });

  it("treats a synchronous throw or `false` as failure and sets the first status directly", async () => {
    const clock = new ManualClock();
    const a = new HealthCheck({ name: "a", check: () => false, clock });
    await a.current();
    assert.equal(a.status, "down");
    assert.equal(a.report().error, "check returned false");
    const b = new HealthCheck({
      name: "b",
      check: () => {
        throw new Error("boom");
      },
      clock,
    });
    assert.equal(b.status, "pending");
    await b.current();
    assert.equal(b.report().error, "boom");
  });

  it("reports a breaker's state, and a breaker-only check follows the breaker", async () => {
    const clock = new ManualClock();
    const breaker = { state: "closed" };
    const check = new HealthCheck({ name: "payments", breaker, critical: false, clock });
    await check.current();
    assert.equal(check.status, "up");
    breaker.state = "open";
    assert.equal(check.status, "down");
    assert.equal(check.report().breaker, "open");
  });

  it("accepts a real @nines/resilience circuit breaker", async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ name: "search", window: { kind: "consecutive", failureThreshold: 1 }, clock });
    const check = new HealthCheck({ name: "search", breaker, critical: false, clock });
    assert.equal(check.status, "up");
    breaker.isolate();
    assert.equal(check.status, "down");
    assert.equal(check.report().breaker, "isolated");
  });

  it("validates its options", () => {
    const clock = new ManualClock();
    assert.throws(() => new HealthCheck({ name: "", clock }), { code: "NINES_OPTION_INVALID" });
    assert.throws(() => new HealthCheck({ name: "x", clock }), /check must be a function/);
    assert.throws(() => new HealthCheck({ name: "x", check: () => 1, timeoutMs: 0, clock }), /timeoutMs/);
    assert.throws(() => new HealthCheck({ name: "x", check: () => 1, failureThreshold: 0, clock }), /failureThreshold/);
  });
});
