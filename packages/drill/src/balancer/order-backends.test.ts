import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { orderBackends } from "./order-backends.js";

const b = (id: string, zone: string, inflight = 0, eligible = true) => ({ id, zone, inflight, eligible });

describe("orderBackends", () => {
  it("puts the caller's zone first, least loaded first, and leaves out the ineligible", () => {
    const backends = [b("a0", "a", 3), b("a1", "a", 1), b("b0", "b", 0), b("a2", "a", 0, false)];
    assert.deepEqual(
      orderBackends(backends, "a", new SeededRandom(1)).map((x) => x.id),
      ["a1", "a0", "b0"],
    );
  });

  it("spills over to other zones when the caller's zone has no eligible backend", () => {
    const backends = [b("a0", "a", 0, false), b("b0", "b", 2), b("c0", "c", 1)];
    assert.deepEqual(
      orderBackends(backends, "a", new SeededRandom(1)).map((x) => x.id),
      ["c0", "b0"],
    );
  });

  it("without a zone spreads equal backends evenly", () => {
    const counts: Record<string, number> = { a0: 0, b0: 0, c0: 0 };
    const random = new SeededRandom(3);
    for (let i = 0; i < 3000; i++) {
      const first = orderBackends([b("a0", "a"), b("b0", "b"), b("c0", "c")], null, random)[0]!;
      counts[first.id]!++;
    }
    for (const n of Object.values(counts)) assert.ok(n > 900 && n < 1100, JSON.stringify(counts));
  });
});
