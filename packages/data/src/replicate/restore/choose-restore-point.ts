import { replicaError } from "../errors.js";
import type { ReplicaCatalog, ReplicaGeneration, ReplicaObjectRef } from "../layout/replica-catalog.js";

/** What a restore reads: one snapshot and the segments after it, up to the asked point. */
export interface RestorePlan {
  generation: string;
  snapshot: ReplicaObjectRef;
  /** Consecutive segments from the snapshot's number on. */
  segments: ReplicaObjectRef[];
  /** Apply commits seen at or before this time (epoch ms); `Infinity` for the latest. */
  until: number;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

/** Segments from `from` on, checked for holes and duplicates, stopping after the first one past `until`. */
function chain(g: ReplicaGeneration, from: number, until: number, location: string): ReplicaObjectRef[] {
  const after = g.segments.filter((s) => s.seq >= from);
  const picked: ReplicaObjectRef[] = [];
  let expected = from;
  for (const [i, s] of after.entries()) {
    const next = after[i + 1];
    if (next && next.seq === s.seq) {
      throw replicaError(
        "segmentForeign",
        `segment ${s.seq} of generation ${g.id} is stored twice with different commit times (${s.key}, ${next.key}) in ${location}`,
        { hint: "two replicators wrote to the same location, or one was tampered with; restore from another target" },
      );
    }
    if (s.seq !== expected) {
      throw replicaError(
        "segmentMissing",
        `segment ${expected} of generation ${g.id} is missing in ${location} (the chain goes from ${
          picked.at(-1)?.key ?? "its snapshot"
        } to ${s.key})`,
        {
          hint: `restore a point before it (--at ${iso(picked.at(-1)?.at ?? g.snapshots[0]?.at ?? 0)}), or from another target`,
          details: { generation: g.id, missing: expected },
        },
      );
    }
    picked.push(s);
    expected++;
    if (s.at > until) break;
  }
  return picked;
}

/**
 * Picks what restores the replica to `at`: the last commit seen at or
 * before it (the newest point when `at` is "latest"). That is the newest
 * generation with a snapshot at or before `at`, its newest such snapshot,
 * and the segments after it up to the first one that ends after `at`
 * (applied only up to its last commit at or before `at`). A hole or a
 * duplicate in that chain is refused, naming the segment.
 *
 * @example
 * const plan = chooseRestorePoint(await listReplica(target), Date.parse("2026-11-29T07:15:00Z"));
 */
export function chooseRestorePoint(catalog: ReplicaCatalog, at: number | "latest"): RestorePlan {
  const complete = catalog.generations.filter((g) => g.snapshots.length > 0);
  if (complete.length === 0) {
    throw replicaError("none", `no replica in ${catalog.location} (no generation with a snapshot)`, {
      hint: "check the location, or start one with 'nines data replicate --db DB --to LOCATION'",
    });
  }
  if (at === "latest") {
    const g = complete.at(-1) as ReplicaGeneration;
    const snapshot = g.snapshots.at(-1) as ReplicaObjectRef;
    return {
      generation: g.id,
      snapshot,
      segments: chain(g, snapshot.seq, Number.POSITIVE_INFINITY, catalog.location),
      until: Number.POSITIVE_INFINITY,
    };
  }
  const g = complete.filter((c) => (c.snapshots[0] as ReplicaObjectRef).at <= at).at(-1);
  if (!g) {
    const oldest = ((complete[0] as ReplicaGeneration).snapshots[0] as ReplicaObjectRef).at;
    throw replicaError(
      "noPoint",
      `${iso(at)} is before the oldest point the replica in ${catalog.location} holds (${iso(oldest)})`,
      {
        hint: "ask for a later time; older points were removed by retention or never replicated",
        details: { oldestAt: oldest },
      },
    );
  }
  const snapshot = g.snapshots.filter((s) => s.at <= at).at(-1) as ReplicaObjectRef;
  return { generation: g.id, snapshot, segments: chain(g, snapshot.seq, at, catalog.location), until: at };
}
