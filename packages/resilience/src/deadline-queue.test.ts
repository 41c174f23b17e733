import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ManualClock } from "@nines/core";
import { Deadline, DeadlineQueue } from "./deadline-queue.js";
import type { ExecutionContext } from "./policy.js";
import { timeout } from "./timeout.js";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

class Entry extends Deadline {
  expired = false;
  expire(): void {
    this.expired = true;
  }
}

describe("DeadlineQueue", () => {
  test("entries leave unlinked, and the ones still waiting expire on time", async () => {
    const clock = new ManualClock();
    const queue = new DeadlineQueue({ clock });
    const [a, b, c] = [new Entry(10), new Entry(20), new Entry(30)];
    for (const entry of [a, b, c]) queue.add(entry);
    await clock.advance(0);
    queue.settle(b); // behind a live head: stays linked for now
    assert.equal(a.after, b);
    queue.settle(a);
    // A dropped entry that reached the old generation must not keep the ones after it alive.
    assert.equal(a.after, undefined);
    assert.equal(b.after, undefined);
    await clock.advance(29);
    assert.equal(c.expired, false);
    await clock.advance(1);
    assert.deepEqual([a.expired, b.expired, c.expired], [false, false, true]);
  });
});

describe("timeout: what a settled call keeps", () => {
  test("a call that settled behind one still running holds nothing of its execution", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 1000, clock });
    const hanging = policy.execute(() => new Promise<string>(() => {}));
    hanging.catch(() => {});
    let seen: WeakRef<ExecutionContext> | undefined;
    await policy.execute((context) => {
      seen = new WeakRef(context);
      return Promise.resolve("at once");
    });
    // A WeakRef's target is kept until the current job ends: collect after a turn.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    assert.equal(seen?.deref(), undefined, "the settled call's context was collected");
    // The call still running is still bounded.
    await clock.advance(1000);
    await assert.rejects(hanging, { code: "NINES_RESILIENCE_TIMEOUT" });
  });
});
