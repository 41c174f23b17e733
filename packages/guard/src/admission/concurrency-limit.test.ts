import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Gradient2Limit } from "./concurrency-limit.js";

describe("Gradient2Limit", () => {
  it("grows while latency holds steady and the limit is in use", () => {
    const limit = new Gradient2Limit({ initialLimit: 10, maxLimit: 100 });
    for (let i = 0; i < 50; i++) limit.onSample({ rttMs: 10, inflight: limit.limit, dropped: false });
    assert.ok(limit.limit > 10, `limit ${limit.limit}`);
    assert.ok(limit.limit <= 100);
  });

  it("does not grow while the service is app-limited", () => {
    const limit = new Gradient2Limit({ initialLimit: 10 });
    for (let i = 0; i < 50; i++) limit.onSample({ rttMs: 10, inflight: 2, dropped: false });
    assert.equal(limit.limit, 10);
  });

  it("shrinks when latency rises above the tolerance, down to minLimit at most", () => {
    const limit = new Gradient2Limit({ initialLimit: 50, minLimit: 4, longWindow: 100 });
    for (let i = 0; i < 100; i++) limit.onSample({ rttMs: 10, inflight: limit.limit, dropped: false });
    const before = limit.limit;
    for (let i = 0; i < 20; i++) limit.onSample({ rttMs: 100, inflight: limit.limit, dropped: false });
    assert.ok(limit.limit < before / 2, `${before} -> ${limit.limit}`);
    for (let i = 0; i < 500; i++) limit.onSample({ rttMs: 1000, inflight: limit.limit, dropped: true });
    assert.ok(limit.limit >= 4);
  });

  it("validates its options", () => {
    assert.throws(() => new Gradient2Limit({ minLimit: 0 }), /minLimit must be >= 1/);
    assert.throws(() => new Gradient2Limit({ initialLimit: 5000 }), /initialLimit/);
    assert.throws(() => new Gradient2Limit({ smoothing: 0 }), /smoothing/);
  });
});
