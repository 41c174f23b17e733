import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code continuous replication throws (`replicate`,
 * `restoreReplica`, `verifyReplica`, replica retention). Target and
 * destination problems keep the backup part's codes (`BACKUP_ERRORS`), as
 * the targets and the restore destination are shared. `docs/replicate.md`
 * lists them, and a test keeps the two in step.
 *
 * @example
 * if (isNinesError(error, REPLICA_ERRORS.keyWrong)) console.error(error.describe());
 */
export const REPLICA_ERRORS = {
  /** The database to replicate does not exist. */
  sourceMissing: "NINES_REPLICA_SOURCE_MISSING",
  /** The file is not a SQLite database, or cannot be put in WAL mode. */
  sourceInvalid: "NINES_REPLICA_SOURCE_INVALID",
  /** There is no replica at the location (no generation with a snapshot). */
  none: "NINES_REPLICA_NONE",
  /** The asked point in time is outside what the replica holds (before its oldest restorable point). */
  noPoint: "NINES_REPLICA_NO_POINT",
  /** A snapshot or segment is truncated, altered, or does not hold what its name and header say. */
  corrupt: "NINES_REPLICA_CORRUPT",
  /** A segment of the chain between the snapshot and the asked point is missing. */
  segmentMissing: "NINES_REPLICA_SEGMENT_MISSING",
  /** A segment that belongs to another generation, or does not follow the one before it (out of order, overlapping). */
  segmentForeign: "NINES_REPLICA_SEGMENT_FOREIGN",
  /** A replica object is encrypted and no key was given. */
  keyMissing: "NINES_REPLICA_KEY_MISSING",
  /** A replica object was encrypted with another key. */
  keyWrong: "NINES_REPLICA_KEY_WRONG",
  /** The key (environment variable or key file) is not 32 bytes written as 64 hex digits or base64. */
  keyInvalid: "NINES_REPLICA_KEY_INVALID",
  /** The replicator is stopped, or stopped before everything committed was stored. */
  stopped: "NINES_REPLICA_STOPPED",
} as const;

/** One of {@link REPLICA_ERRORS}. */
export type ReplicaErrorCode = (typeof REPLICA_ERRORS)[keyof typeof REPLICA_ERRORS];

/**
 * The error family of continuous replication and its restores; `code` is one of {@link REPLICA_ERRORS}.
 *
 * @example
 * try { await restoreReplica({ from, to, at: "latest" }); } catch (e) { if (e instanceof ReplicaError) console.error(e.describe()); }
 */
export class ReplicaError extends NinesError {
  override get name(): string {
    return "ReplicaError";
  }
}

/**
 * Builds a replica error with its code, a message naming the place and a hint.
 *
 * @example
 * throw replicaError("segmentMissing", "segment 41 of generation G is missing", { hint: "restore to a point before it" });
 */
export function replicaError(
  what: keyof typeof REPLICA_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): ReplicaError {
  return new ReplicaError(REPLICA_ERRORS[what], message, options);
}
