import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "./manual-clock.js";

describe("ManualClock", () => {
  it("fires timers in time order, ties in scheduling order", async () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.schedule(20, () => fired.push("b@20"));
    clock.schedule(10, () => fired.push("a@10"));
    clock.schedule(20, () => fired.push("c@20"));
    await clock.advance(15);
    assert.deepEqual(fired, ["a@10"]);
    assert.equal(clock.now(), 1015);
    await clock.advance(5);
    assert.deepEqual(fired, ["a@10", "b@20", "c@20"]);
    assert.equal(clock.pending, 0);
  });

  it("runs continuations between timers so sleep loops keep exact time", async () => {
    const clock = new ManualClock();
    const wakes: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        wakes.push(clock.now());
      }
    })();
    await clock.advance(1000);
    await loop;
    assert.deepEqual(wakes, [100, 200, 300]);
    assert.equal(clock.now(), 1000);
  });

  it("rejects a sleep at once when its signal aborts and cancels the timer", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(sleeping, /stop/);
    assert.equal(clock.pending, 0);
    await assert.rejects(clock.sleep(5, controller.signal), /stop/);
  });

  it("does not fire cancelled timers", async () => {
    const clock = new ManualClock();
    let fired = 0;
    const timer = clock.schedule(10, () => fired++);
    timer.cancel();
    timer.cancel();
    await clock.advance(100);
    assert.equal(fired, 0);
  });

  it("runAll stops a runaway loop with a clear error", async () => {
    const clock = new ManualClock();
    const again = () => {
      clock.schedule(1, again);
    };
    again();
    await assert.rejects(clock.runAll(50), /more than 50 timers/);
  });

  it("refuses to move backwards", async () => {
    await assert.rejects(new ManualClock().advance(-1), RangeError);
  });
});
