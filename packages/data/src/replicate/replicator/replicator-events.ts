import type { ReplicaRetentionResult } from "../retention/apply-replica-retention.js";
import type { StoredObject } from "./upload-lane.js";

/**
 * What a running replicator reports through `on(type, listener)`. Nothing
 * is logged: an application decides what to show.
 *
 * @example
 * replicator.on("stored", (e) => metrics.observe("replica_upload_ms", e.durationMs));
 * replicator.on("error", (e) => console.error(e.during, e.error));
 */
export interface ReplicatorEvents {
  /** A generation started (first run, or the lineage broke: the reason says why), or one was continued. */
  generation: { generation: string; reason: string; continued: boolean; at: number };
  /** Frames were cut into a segment and queued for every target. */
  segment: {
    generation: string;
    seq: number;
    commits: number;
    frames: number;
    plainBytes: number;
    storedBytes: number;
    lastCommitAt: number;
  };
  /** A snapshot was taken and queued. */
  snapshot: {
    generation: string;
    seq: number;
    pages: number;
    plainBytes: number;
    storedBytes: number;
    durationMs: number;
  };
  /** An object is now stored in a target. */
  stored: { target: string; key: string; kind: StoredObject["kind"]; bytes: number; durationMs: number };
  /**
   * The replicator checkpointed the log: `passive` (copies frames into the
   * database, blocking no one), `restart` (under the write lock for
   * `writeLockMs`: the longest any writer waited because of replication).
   */
  checkpoint: {
    mode: "passive" | "restart";
    busy: boolean;
    log: number;
    checkpointed: number;
    writeLockMs?: number;
  };
  /** Retention ran in one target. */
  retention: ReplicaRetentionResult;
  /** Something failed and is retried (an upload, a snapshot), or the lineage had to restart. */
  error: {
    error: unknown;
    during: "observe" | "upload" | "snapshot" | "retention" | "checkpoint";
    target?: string;
    key?: string;
  };
}
