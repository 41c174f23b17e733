import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { DRAIN_DEFAULTS, Drainer, type DrainTarget } from "./drainer.js";

function fakeTarget(clock: ManualClock, inflight: number) {
  const log: string[] = [];
  let running = inflight;
  let idle: (() => void) | undefined;
  const target: DrainTarget = {
    markDraining: () => log.push(`draining@${clock.now()}`),
    stopAccepting: () => log.push(`stop@${clock.now()}`),
    inflight: () => running,
    whenIdle: () => (running === 0 ? Promise.resolve() : new Promise((resolve) => (idle = resolve))),
    closeAll: () => log.push(`closeAll@${clock.now()}:${running}`),
  };
  const finishOne = () => {
    running--;
    if (running === 0) idle?.();
  };
  return { target, log, finishOne };
}

describe("Drainer", () => {
  it("fails readiness at once, stops accepting after the delay, waits for in-flight work, then cleans up", async () => {
    const clock = new ManualClock();
    const { target, log, finishOne } = fakeTarget(clock, 2);
    const drainer = new Drainer({ delayMs: 5000, graceMs: 10_000, clock }, target);
    drainer.onCleanup({ name: "db", run: () => log.push(`cleanup@${clock.now()}`) });
    const report = drainer.drain("SIGTERM");
    assert.equal(drainer.drain("again"), report, "a second call is the same drain");
    await clock.advance(4999);
    assert.deepEqual(log, ["draining@0"]);
    await clock.advance(1);
    assert.deepEqual(log, ["draining@0", "stop@5000"]);
    await clock.advance(300);
    finishOne();
    await clock.advance(200);
    finishOne();
    const done = await report;
    assert.deepEqual(log, ["draining@0", "stop@5000", "closeAll@5500:0", "cleanup@5500"]);
    assert.equal(done.ok, true);
    assert.equal(done.reason, "SIGTERM");
    assert.equal(done.inflightAtStop, 2);
    assert.equal(done.abandoned, 0);
    assert.equal(done.requestsDoneAt, 5500);
    assert.equal(clock.pending, 0, "no timer left behind");
  });

  it("cuts off requests that outlive the grace period", async () => {
    const clock = new ManualClock();
    const { target, log } = fakeTarget(clock, 3);
    const drainer = new Drainer({ delayMs: 100, graceMs: 1000, clock }, target);
    const report = drainer.drain();
    await clock.advance(1100);
    const done = await report;
    assert.equal(done.abandoned, 3);
    assert.equal(done.requestsDoneAt, 1100);
    assert.ok(log.includes("closeAll@1100:3"));
  });

  it("reports a hung cleanup hook as timed out, a throwing one as failed, and still runs the rest", async () => {
    const clock = new ManualClock();
    const { target } = fakeTarget(clock, 0);
    const drainer = new Drainer({ delayMs: 0, cleanupTimeoutMs: 2000, clock }, target);
    let aborted = false;
    const ran: string[] = [];
    drainer.onCleanup({
      name: "hung",
      run: (signal) =>
        new Promise(() => {
          signal.addEventListener("abort", () => (aborted = true));
        }),
    });
    drainer.onCleanup({
      name: "broken",
      run: () => {
        throw new Error("pool already closed");
      },
    });
    drainer.onCleanup({ name: "fine", timeoutMs: 50, run: async () => ran.push("fine") });
    const report = drainer.drain();
    await clock.advance(2000);
    const done = await report;
    assert.equal(done.ok, false);
    assert.deepEqual(
      done.hooks.map((h) => [h.name, h.status, h.durationMs]),
      [
        ["hung", "timed_out", 2000],
        ["broken", "failed", 0],
        ["fine", "ok", 0],
      ],
    );
    assert.equal(done.hooks[1]?.error, "pool already closed");
    assert.equal(aborted, true);
    assert.deepEqual(ran, ["fine"]);
  });

  it("defaults to DRAIN_DEFAULTS, the one place the drain's defaults are written", () => {
    const clock = new ManualClock();
    const drainer = new Drainer({ clock }, fakeTarget(clock, 0).target);
    assert.deepEqual(
      { delayMs: drainer.delayMs, graceMs: drainer.graceMs, cleanupTimeoutMs: drainer.cleanupTimeoutMs },
      { ...DRAIN_DEFAULTS },
    );
    assert.deepEqual({ ...DRAIN_DEFAULTS }, { delayMs: 5000, graceMs: 20_000, cleanupTimeoutMs: 5000 });
    assert.ok(Object.isFrozen(DRAIN_DEFAULTS));
  });

  it("validates its options", () => {
    const clock = new ManualClock();
    const { target } = fakeTarget(clock, 0);
    assert.throws(() => new Drainer({ delayMs: -1, clock }, target), /delayMs/);
    assert.throws(() => new Drainer({ delay: 5, clock } as never, target), /unknown option delay/);
    const drainer = new Drainer({ clock }, target);
    assert.throws(() => drainer.onCleanup({ name: "x", run: () => 1, timeoutMs: 0 }), /timeoutMs/);
  });
});
