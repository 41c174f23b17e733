import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { systemClock } from "./clock.js";

describe("SystemClock", () => {
  it("sleeps for real and honours abort", async () => {
    const started = systemClock.now();
    await systemClock.sleep(20);
    assert.ok(systemClock.now() - started >= 19);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort();
    await assert.rejects(sleeping, { name: "AbortError" });
  });

  it("schedules and cancels", async () => {
    let fired = 0;
    systemClock.schedule(5, () => fired++);
    systemClock.schedule(5, () => fired++).cancel();
    await systemClock.sleep(30);
    assert.equal(fired, 1);
  });
});
