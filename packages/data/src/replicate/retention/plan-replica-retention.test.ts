import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import type { ReplicaCatalog, ReplicaGeneration } from "../layout/replica-catalog.js";
import { segmentKey, snapshotKey } from "../layout/replica-keys.js";
import { chooseRestorePoint } from "../restore/choose-restore-point.js";
import { planReplicaRetention } from "./plan-replica-retention.js";

const T0 = Date.UTC(2026, 10, 1);

/** A catalog from a list of generations, each a list of steps: a segment, or a snapshot (taken between segments). */
function catalogOf(generations: { start: number; steps: ("seg" | "snap")[]; gapMs: number }[]): ReplicaCatalog {
  let id = 0;
  return {
    location: "/r",
    generations: generations.map(({ start, steps, gapMs }) => {
      const gen = `2026110${Math.min(9, ++id)}T000000000Z-${String(id).padStart(6, "0")}`;
      const g: ReplicaGeneration = { id: gen, hasInfo: true, snapshots: [], segments: [] };
      let at = start;
      let seq = 0;
      g.snapshots.push({ key: snapshotKey(gen, 0, at), seq: 0, at });
      for (const step of steps) {
        at += gapMs;
        if (step === "snap") g.snapshots.push({ key: snapshotKey(gen, seq, at), seq, at });
        else {
          g.segments.push({ key: segmentKey(gen, seq, at), seq, at });
          seq++;
        }
      }
      return g;
    }),
  };
}

function without(catalog: ReplicaCatalog, removed: Set<string>): ReplicaCatalog {
  return {
    location: catalog.location,
    generations: catalog.generations
      .map((g) => ({
        ...g,
        snapshots: g.snapshots.filter((s) => !removed.has(s.key)),
        segments: g.segments.filter((s) => !removed.has(s.key)),
      }))
      .filter((g) => g.snapshots.length + g.segments.length > 0),
  };
}

it("keeps every point of the window restorable exactly as before, and removes nothing on a second run", () => {
  const generation = fc.record({
    steps: fc.array(fc.constantFrom<"seg" | "snap">("seg", "seg", "seg", "snap"), { maxLength: 30 }),
    gapMs: fc.integer({ min: 1, max: 60_000 }),
  });
  fc.assert(
    fc.property(
      fc.array(generation, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 2_000_000 }),
      fc.integer({ min: 0, max: 3_000_000 }),
      fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: 1, maxLength: 8 }),
      (gens, windowMs, nowOffset, probes) => {
        let start = T0;
        const laid = gens.map((g) => {
          const laidOut = { ...g, start };
          start += g.gapMs * (g.steps.length + 1) + 1000;
          return laidOut;
        });
        const catalog = catalogOf(laid);
        const now = T0 + nowOffset;
        const plan = planReplicaRetention(catalog, { now, windowMs });
        const kept = without(catalog, new Set(plan.remove));
        const boundary = now - windowMs;
        for (const probe of [...probes.map((p) => T0 + p).filter((t) => t >= boundary), "latest" as const]) {
          const before = (() => {
            try {
              return chooseRestorePoint(catalog, probe);
            } catch (error) {
              return (error as { code?: string }).code;
            }
          })();
          const after = (() => {
            try {
              return chooseRestorePoint(kept, probe);
            } catch (error) {
              return (error as { code?: string }).code;
            }
          })();
          assert.deepEqual(after, before, `the point ${String(probe)} restores the same after retention`);
        }
        assert.deepEqual(planReplicaRetention(kept, { now, windowMs }).remove, [], "a second run removes nothing");
        if (plan.oldestRestorableAt !== undefined) assert.ok(plan.oldestRestorableAt <= Math.max(boundary, T0));
      },
    ),
    { numRuns: 300 },
  );
});

it("never removes the newest snapshot or what follows it, whatever the window", () => {
  const catalog = catalogOf([{ start: T0, steps: ["seg", "snap", "seg", "seg"], gapMs: 1000 }]);
  const plan = planReplicaRetention(catalog, { now: T0 + 10 * 86_400_000, windowMs: 1 });
  const g = catalog.generations[0] as ReplicaGeneration;
  assert.deepEqual(plan.remove.sort(), [g.segments[0]?.key, g.snapshots[0]?.key].sort());
});
