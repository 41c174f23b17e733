import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { EventQueue } from "./event-queue.js";

describe("EventQueue", () => {
  it("takes events by time, then by insertion, skipping cancelled ones (against a sorted list)", () => {
    const random = new SeededRandom(4);
    const queue = new EventQueue();
    const reference: { at: number; seq: number; cancelled: boolean }[] = [];
    const events = [];
    // Integer times in a small range: many ties.
    for (let seq = 0; seq < 20_000; seq++) {
      const at = Math.floor(random.next() * 500);
      events.push(queue.add(at, () => {}));
      reference.push({ at, seq, cancelled: false });
      if (random.next() < 0.3) {
        const victim = Math.floor(random.next() * events.length);
        events[victim]?.cancel();
        (reference[victim] as { cancelled: boolean }).cancelled = true;
      }
    }
    const expected = reference
      .filter((e) => !e.cancelled)
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((e) => `${e.at}/${e.seq}`);
    assert.equal(queue.size, expected.length);
    const taken: string[] = [];
    for (let event = queue.take(); event !== undefined; event = queue.take()) taken.push(`${event.at}/${event.seq}`);
    assert.deepEqual(taken, expected);
    assert.equal(queue.size, 0);
  });

  it("counts a cancelled event once, however often it is cancelled", () => {
    const queue = new EventQueue();
    const first = queue.add(1, () => {});
    const second = queue.add(2, () => {});
    second.cancel();
    second.cancel();
    assert.equal(queue.size, 1);
    assert.equal(queue.take(), first);
    assert.equal(queue.size, 0);
  });
});
