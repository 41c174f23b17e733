import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "./random.js";

describe("SeededRandom", () => {
  it("replays the same sequence from the same seed and differs across seeds", () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(new SeededRandom(7)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(new SeededRandom(7)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(new SeededRandom(8)),
    );
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("stays in [0, 1) and is roughly uniform", () => {
    const random = new SeededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      assert.ok(x >= 0 && x < 1);
      buckets[Math.floor(x * 10)]! += 1;
    }
    for (const count of buckets) assert.ok(Math.abs(count - n / 10) < 600, `bucket ${count}`);
  });

  it("int covers its inclusive range", () => {
    const random = new SeededRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(random.int(1, 6));
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6]);
  });
});
