// Web's view of analytics on a manual clock: the popular destinations come
// with the events' answers, a search asks analytics only when web has heard
// nothing for cacheMs, and a refused call, or two late ones in a row, make
// the page degraded at once (a list heard before is not served), until
// analytics answers again; one late answer alone does not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@nines/core";
import { type Popular, PopularCache } from "../src/web/popular-cache.js";

const ROME: Popular = [{ destination: "Rome", events: 3 }];
const PARIS: Popular = [{ destination: "Paris", events: 5 }];

const LATE = new Error("late");
const REFUSED = new Error("refused");

function harness() {
  const clock = new ManualClock(0);
  const asked: number[] = [];
  let answer: Popular | Error = ROME;
  const cache = new PopularCache({
    clock,
    cacheMs: 10_000,
    retryAfterMs: 1000,
    isLate: (error) => error === LATE,
    fetch: async () => {
      asked.push(clock.now());
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  return { clock, asked, cache, answer: (value: Popular | Error) => (answer = value) };
}

/** What the page gets: the list, or null (degraded) when the cache says analytics is down. */
const page = (cache: PopularCache) => cache.get().catch(() => null);

describe("PopularCache", () => {
  test("one request for many searches, and none while the events' answers keep it fresh", async () => {
    const { clock, asked, cache } = harness();
    assert.deepEqual(await Promise.all([cache.get(), cache.get(), cache.get()]), [ROME, ROME, ROME]);
    assert.equal(asked.length, 1, "concurrent searches share one request");
    for (let i = 0; i < 5; i++) {
      await clock.advance(6000);
      cache.heard(PARIS);
      assert.deepEqual(await cache.get(), PARIS);
    }
    assert.equal(asked.length, 1, "the events' answers are enough");
    await clock.advance(10_000);
    assert.deepEqual(await cache.get(), ROME, "heard nothing for cacheMs: asks");
    assert.equal(asked.length, 2);
  });

  test("a refused event makes the page degraded at once, though the list was fresh, until analytics answers", async () => {
    const { clock, asked, cache, answer } = harness();
    assert.deepEqual(await cache.get(), ROME);
    answer(REFUSED);
    cache.failed(REFUSED);
    await assert.rejects(cache.get(), REFUSED, "degraded without waiting for the list to expire");
    await clock.advance(999);
    assert.equal(await page(cache), null);
    assert.equal(asked.length, 1, "not asked again within retryAfterMs");
    await clock.advance(1);
    assert.equal(await page(cache), null, "asked again, still down");
    assert.equal(asked.length, 2);
    cache.heard(PARIS);
    assert.deepEqual(await cache.get(), PARIS, "an event's answer ends the degradation");
  });

  test("one late answer is not an outage; two in a row are", async () => {
    const { cache } = harness();
    assert.deepEqual(await cache.get(), ROME);
    cache.failed(LATE);
    assert.deepEqual(await cache.get(), ROME, "one late answer: the list stays");
    cache.heard(PARIS);
    cache.failed(LATE);
    assert.deepEqual(await cache.get(), PARIS, "an answer in time between late ones starts the count again");
    cache.failed(LATE);
    assert.equal(await page(cache), null, "two late in a row: degraded");
  });

  test("a late refresh keeps the last list for retryAfterMs; a second one in a row is an outage", async () => {
    const { clock, asked, cache, answer } = harness();
    assert.deepEqual(await cache.get(), ROME);
    answer(LATE);
    await clock.advance(10_000);
    assert.deepEqual(await cache.get(), ROME, "one late refresh: still the last list");
    assert.equal(asked.length, 2);
    await clock.advance(1000);
    assert.equal(await page(cache), null, "the second in a row: degraded");
    assert.equal(asked.length, 3);
  });
});
