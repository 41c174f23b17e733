import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Events } from "./events.js";

describe("Events", () => {
  it("delivers typed events and unsubscribes", () => {
    const events = new Events<{ tick: { n: number }; other: string }>();
    const seen: number[] = [];
    assert.equal(events.has("tick"), false);
    const off = events.on("tick", (e) => seen.push(e.n));
    assert.equal(events.has("tick"), true);
    events.emit("tick", { n: 1 });
    off();
    off();
    events.emit("tick", { n: 2 });
    assert.deepEqual(seen, [1]);
    assert.equal(events.has("tick"), false);
  });

  it("keeps delivering when a listener throws and reports the error", () => {
    const errors: unknown[] = [];
    const events = new Events<{ tick: number }>({ onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    events.on("tick", () => {
      throw new Error("listener bug");
    });
    events.on("tick", (n) => seen.push(n));
    events.emit("tick", 5);
    assert.deepEqual(seen, [5]);
    assert.match(String(errors[0]), /listener bug/);
  });
});
