import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { isoWeek, planRetention, type RetentionItem, type RetentionPolicy } from "./plan-retention.js";

const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 1);

const itemsArb = fc
  .array(fc.record({ offset: fc.integer({ min: 0, max: 24 * 90 }), verified: fc.boolean() }), { maxLength: 60 })
  .map((raw) =>
    raw.map(
      (r, i): RetentionItem => ({
        id: `b${String(i).padStart(3, "0")}`,
        at: start + r.offset * HOUR,
        verified: r.verified,
      }),
    ),
  );
const policyArb = fc.record({
  keepLast: fc.integer({ min: 0, max: 5 }),
  keepDaily: fc.integer({ min: 0, max: 10 }),
  keepWeekly: fc.integer({ min: 0, max: 6 }),
});

it("retention never deletes the last good backup, keeps the last N, and is a partition", () => {
  fc.assert(
    fc.property(itemsArb, policyArb, (items, policy: RetentionPolicy) => {
      const plan = planRetention(items, policy);
      const kept = new Set(plan.keep.map((k) => k.id));
      assert.equal(kept.size + plan.remove.length, items.length);
      for (const id of plan.remove) assert.ok(!kept.has(id));
      const newestFirst = [...items].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
      const lastVerified = newestFirst.find((i) => i.verified);
      if (lastVerified) assert.ok(kept.has(lastVerified.id), "the newest verified backup is kept");
      else if (newestFirst[0]) assert.ok(kept.has(newestFirst[0].id), "with nothing verified the newest is kept");
      for (const item of newestFirst.slice(0, policy.keepLast)) assert.ok(kept.has(item.id));
      // Each of the most recent keepDaily days with backups keeps its newest backup.
      const days = [...new Set(newestFirst.map((i) => new Date(i.at).toISOString().slice(0, 10)))].slice(
        0,
        policy.keepDaily,
      );
      for (const day of days) {
        const newestOfDay = newestFirst.find((i) => new Date(i.at).toISOString().startsWith(day));
        assert.ok(newestOfDay && kept.has(newestOfDay.id), `day ${day}`);
      }
      // Planning again on what was kept removes nothing more.
      const again = planRetention(
        items.filter((i) => kept.has(i.id)),
        policy,
      );
      assert.deepEqual(again.remove, []);
    }),
    { numRuns: 300, seed: 42 },
  );
});

it("retention table: last 2, 3 daily, 2 weekly over ten days of twice-daily backups", () => {
  const items: RetentionItem[] = [];
  for (let d = 0; d < 10; d++) {
    for (const h of [1, 13])
      items.push({ id: `d${d}h${h}`, at: start + (d * 24 + h) * HOUR, verified: d === 2 && h === 1 });
  }
  const plan = planRetention(items, { keepLast: 2, keepDaily: 3, keepWeekly: 2 });
  assert.deepEqual(
    plan.keep.map((k) => `${k.id}: ${k.reasons.join(", ")}`),
    [
      "d9h13: last 1, daily 2026-01-10, weekly 2026-W02",
      "d9h1: last 2",
      "d8h13: daily 2026-01-09",
      "d7h13: daily 2026-01-08",
      "d3h13: weekly 2026-W01",
      "d2h1: last verified",
    ],
  );
  assert.equal(plan.remove.length, 14);
});

it("ISO weeks follow the Thursday rule", () => {
  assert.equal(isoWeek(Date.UTC(2026, 0, 1)), "2026-W01"); // Thursday
  assert.equal(isoWeek(Date.UTC(2027, 0, 1)), "2026-W53"); // Friday of 2026's week 53
  assert.equal(isoWeek(Date.UTC(2024, 11, 30)), "2025-W01"); // Monday
  assert.equal(isoWeek(Date.UTC(2026, 10, 29)), "2026-W48"); // Sunday
});
