import { isNinesError } from "@nines/core";
import { BACKUP_ERRORS } from "../../backup/errors.js";
import type { BackupTarget } from "../../backup/targets/target.js";
import { openObject } from "../codec/decode-object.js";
import { listReplica, type ReplicaObjectRef } from "../layout/replica-catalog.js";
import type { ResumeAt } from "../wal/wal-follower.js";
import type { SegmentMeta } from "./segment-builder.js";
import type { SnapshotMeta } from "./snapshot-meta.js";

/** Where the replicas end, when every target ends at the same place and it can be continued. */
export interface ReplicaEnd {
  generation: string;
  /** The number of the next segment. */
  nextSeq: number;
  /** The log position the last object ends at. */
  resume: ResumeAt;
  /** When the newest snapshot was taken (the next one is due a snapshot interval later). */
  snapshotAt: number;
}

/** The newest generation's end in one target, or why it cannot be continued. */
async function endIn(target: BackupTarget, key: Uint8Array | undefined): Promise<ReplicaEnd | string> {
  let catalog: Awaited<ReturnType<typeof listReplica>>;
  try {
    catalog = await listReplica(target);
  } catch (error) {
    // A folder not made yet holds nothing; anything else (unreachable, refused) is the caller's to report.
    if (isNinesError(error, BACKUP_ERRORS.locationMissing)) return "first replication to this location";
    throw error;
  }
  const generation = catalog.generations.at(-1);
  if (!generation) return "first replication to this location";
  const snapshot = generation.snapshots.at(-1);
  if (!snapshot) return `generation ${generation.id} has no snapshot stored`;
  const after = generation.segments.filter((s) => s.seq >= snapshot.seq);
  for (let i = 0; i < after.length; i++) {
    if ((after[i] as ReplicaObjectRef).seq !== snapshot.seq + i) {
      return `generation ${generation.id} has a gap or a duplicate in its segments after snapshot ${snapshot.seq}`;
    }
  }
  const last = after.at(-1) ?? snapshot;
  let object: Awaited<ReturnType<typeof openObject<SegmentMeta | SnapshotMeta>>>;
  try {
    object = await openObject<SegmentMeta | SnapshotMeta>(await target.get(last.key), { key, name: last.key });
  } catch (error) {
    if (isNinesError(error)) return `its last object cannot be read: ${error.message}`;
    throw error;
  }
  await object.close();
  const { header } = object;
  if (header.generation !== generation.id || header.seq !== last.seq) return `${last.key} is not what its name says`;
  if (header.kind === "segment") {
    const { wal } = header.meta as SegmentMeta;
    return {
      generation: generation.id,
      nextSeq: last.seq + 1,
      resume: { salt1: wal.salt1, salt2: wal.salt2, frame: wal.lastFrame, checksum: wal.checksumAfter },
      snapshotAt: snapshot.at,
    };
  }
  const { wal } = header.meta as SnapshotMeta;
  if (!wal) return `generation ${generation.id} ends with a snapshot of an empty log, which cannot be continued`;
  return { generation: generation.id, nextSeq: last.seq, resume: wal, snapshotAt: snapshot.at };
}

/**
 * Reads where the replicas in `targets` end. A replicator that restarts
 * continues that generation only when every target ends at the same object
 * (so no segment number is ever written twice with different contents);
 * otherwise it starts a new generation, and the reason says why.
 *
 * @example
 * const { end, reason } = await findReplicaEnd(targets, key);
 * if (end && follower.start(end.resume).ok) continueFrom(end); else startGeneration(reason);
 */
export async function findReplicaEnd(
  targets: readonly BackupTarget[],
  key: Uint8Array | undefined,
): Promise<{ end?: ReplicaEnd; reason: string }> {
  const ends = await Promise.all(targets.map((t) => endIn(t, key)));
  const first = ends[0];
  if (first === undefined) return { reason: "no target" };
  if (typeof first === "string") return { reason: first };
  for (const [i, end] of ends.entries()) {
    if (typeof end === "string") return { reason: `${(targets[i] as BackupTarget).location}: ${end}` };
    const same =
      end.generation === first.generation &&
      end.nextSeq === first.nextSeq &&
      end.resume.frame === first.resume.frame &&
      end.resume.salt1 === first.resume.salt1 &&
      end.resume.checksum[0] === first.resume.checksum[0] &&
      end.resume.checksum[1] === first.resume.checksum[1];
    if (!same) return { reason: "the targets end at different places (one was behind when the replicator stopped)" };
  }
  return { end: first, reason: "" };
}
