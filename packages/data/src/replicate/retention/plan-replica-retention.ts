import type { ReplicaCatalog } from "../layout/replica-catalog.js";
import { generationKey } from "../layout/replica-keys.js";

/** What retention keeps and removes in one replica location. */
export interface ReplicaRetentionPlan {
  /** Keys to remove, in a safe order (objects before their generation's description). */
  remove: string[];
  /** The oldest point in time still restorable after the removal (epoch ms), when there is one. */
  oldestRestorableAt?: number;
}

/**
 * Plans retention by age: every point from `now - windowMs` on stays
 * restorable. That point needs the newest snapshot at or before it (in the
 * newest generation that has one) and every segment after that snapshot;
 * everything older is removed: older generations, older snapshots and
 * segments of that one. Generations without any snapshot (they restore
 * nothing) are removed once a newer one has a snapshot, except `keep` (the
 * replicator's current one, whose first snapshot may still be on its way).
 * Whatever the window, the newest snapshot and everything after it stay, so
 * a restore of the latest point is never cut from under it.
 *
 * @example
 * const { remove } = planReplicaRetention(await listReplica(target), { now: clock.now(), windowMs: 86_400_000 });
 */
export function planReplicaRetention(
  catalog: ReplicaCatalog,
  options: { now: number; windowMs: number; keep?: string },
): ReplicaRetentionPlan {
  const boundary = options.now - options.windowMs;
  const complete = catalog.generations.filter((g) => g.snapshots.length > 0);
  const remove: string[] = [];
  const dropGeneration = (g: ReplicaCatalog["generations"][number]) => {
    remove.push(...g.segments.map((s) => s.key), ...g.snapshots.map((s) => s.key));
    if (g.hasInfo) remove.push(generationKey(g.id));
  };
  const newestComplete = complete.at(-1);
  for (const g of catalog.generations) {
    if (g.snapshots.length === 0 && g.id !== options.keep && newestComplete && g.id < newestComplete.id)
      dropGeneration(g);
  }
  // The anchor: the newest generation with a snapshot at or before the boundary, and that snapshot.
  let anchor: { index: number; seq: number; at: number } | undefined;
  for (const [index, g] of complete.entries()) {
    const snapshot = g.snapshots.filter((s) => s.at <= boundary).at(-1);
    if (snapshot) anchor = { index, seq: snapshot.seq, at: snapshot.at };
  }
  if (!anchor) {
    const first = complete[0]?.snapshots[0];
    return { remove, ...(first ? { oldestRestorableAt: first.at } : {}) };
  }
  for (const g of complete.slice(0, anchor.index)) dropGeneration(g);
  const g = complete[anchor.index] as ReplicaCatalog["generations"][number];
  const { seq, at } = anchor;
  remove.push(
    ...g.segments.filter((s) => s.seq < seq).map((s) => s.key),
    // Snapshots with the anchor's number but older (no write between them) are not needed either.
    ...g.snapshots.filter((s) => s.seq < seq || (s.seq === seq && s.at < at)).map((s) => s.key),
  );
  return { remove, oldestRestorableAt: anchor.at };
}
