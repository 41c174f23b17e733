import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { nextArrival } from "./arrivals.js";
import { perSecond } from "./per-second.js";
import { percentile } from "./percentile.js";
import { RequestLog, type RequestRecord } from "./request-log.js";
import { summarize } from "./summarize.js";

const rec = (
  startAt: number,
  latency: number,
  status: number,
  error: RequestRecord["error"] = null,
): RequestRecord => ({
  journey: "j",
  step: "s",
  startAt,
  endAt: startAt + latency,
  status,
  error,
});

describe("RequestLog", () => {
  it("keeps every record exactly, past its first growth", () => {
    const log = new RequestLog();
    for (let i = 0; i < 5000; i++) {
      log.record({
        journey: `j${i % 3}`,
        step: "s",
        startAt: 1e12 + i,
        endAt: 1e12 + i + 7,
        status: 200,
        error: i % 7 === 0 ? "reset" : null,
      });
    }
    assert.equal(log.length, 5000);
    assert.deepEqual(log.at(4997), {
      journey: "j2",
      step: "s",
      startAt: 1e12 + 4997,
      endAt: 1e12 + 5004,
      status: 200,
      error: null,
    });
    assert.equal(log.at(4991).error, "reset");
  });
});

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([], 50), null);
  });
});

describe("perSecond", () => {
  it("gives the known series of a synthetic timeline", () => {
    // Second 0: 10 requests, all 200 in 10..100 ms. Second 1: 10 requests, 4 shed (503), 1 timeout.
    // Second 2: nothing. Second 3: 2 requests, a 404 (a correct answer) and a 200.
    const records: RequestRecord[] = [];
    for (let i = 0; i < 10; i++) records.push(rec(i * 100, (i + 1) * 10, 200));
    for (let i = 0; i < 10; i++) {
      records.push(rec(1000 + i * 100, 20, i < 4 ? 503 : i === 4 ? 0 : 200, i === 4 ? "timeout" : null));
    }
    records.push(rec(3000, 5, 404), rec(3500, 15, 200));
    const series = perSecond(records, { fromAt: 0, toAt: 4000 });
    assert.deepEqual(
      series.map((s) => [s.at, s.offered, s.answered, s.succeeded, s.successRatio]),
      [
        [0, 10, 10, 10, 1],
        [1000, 10, 9, 5, 0.5],
        [2000, 0, 0, 0, null],
        [3000, 2, 2, 2, 1],
      ],
    );
    assert.deepEqual([series[0]?.p50Ms, series[0]?.p95Ms, series[0]?.p99Ms], [50, 100, 100]);
    assert.equal(series[2]?.p99Ms, null);
  });

  it("summarizes a window with error kinds and statuses", () => {
    const s = summarize([rec(0, 10, 200), rec(10, 10, 503), rec(20, 0, 0, "connect"), rec(5000, 1, 200)], {
      toAt: 1000,
    });
    assert.equal(s.offered, 3);
    assert.equal(s.successRatio, 1 / 3);
    assert.deepEqual(s.errors, { timeout: 0, connect: 1, reset: 0, other: 0 });
    assert.deepEqual(s.statuses, { 200: 1, 503: 1 });
  });
});

describe("nextArrival", () => {
  it("spaces fixed arrivals evenly and Poisson arrivals with the right mean", () => {
    const random = new SeededRandom(9);
    assert.equal(nextArrival(1000, 10, "fixed", random), 1100);
    let at = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) at = nextArrival(at, 50, "poisson", random);
    assert.ok(Math.abs(at / n - 20) < 0.5, `mean gap ${at / n} ms`);
  });
});
