import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code the backup part throws. The docs list them in
 * `docs/data.md` ("Backups and restores"), and a test keeps the two in step.
 *
 * @example
 * if (isNinesError(error, BACKUP_ERRORS.corrupt)) console.error(error.describe());
 */
export const BACKUP_ERRORS = {
  /** The database to back up does not exist or cannot be opened. */
  sourceMissing: "NINES_BACKUP_SOURCE_MISSING",
  /** The source exists but is not a database of the expected engine. */
  sourceInvalid: "NINES_BACKUP_SOURCE_INVALID",
  /** A key, id or path would leave the backup folder. */
  pathOutside: "NINES_BACKUP_PATH_OUTSIDE",
  /** A `--to`/`--from` location that is neither a directory nor `s3://bucket/prefix`. */
  targetInvalid: "NINES_BACKUP_TARGET_INVALID",
  /** Reading or writing a target failed (disk, network, permissions). */
  targetFailed: "NINES_BACKUP_TARGET_FAILED",
  /** There are no backups at the location. */
  none: "NINES_BACKUP_NONE",
  /** No backup has the given id. */
  notFound: "NINES_BACKUP_NOT_FOUND",
  /** A backup's data is missing, truncated or does not match its checksum, or its manifest is unreadable. */
  corrupt: "NINES_BACKUP_CORRUPT",
  /** Every candidate backup failed its checks. */
  noGood: "NINES_BACKUP_NO_GOOD",
  /** The restore destination already holds data and `force` was not given. */
  restoreExists: "NINES_BACKUP_RESTORE_EXISTS",
  /** The backup's engine does not match the destination (a pg dump into a file, ...). */
  engineMismatch: "NINES_BACKUP_ENGINE_MISMATCH",
  /** pg_dump, pg_restore or the database failed. */
  toolFailed: "NINES_BACKUP_TOOL_FAILED",
  /** The table or owner column named for an owner restore does not exist. */
  tableUnknown: "NINES_BACKUP_TABLE_UNKNOWN",
  /** An owner restore met rows that already exist and the conflict mode is `fail`. */
  ownerConflict: "NINES_BACKUP_OWNER_CONFLICT",
  /** A restore verification found a problem (integrity, row counts, restore failure). */
  verifyFailed: "NINES_BACKUP_VERIFY_FAILED",
  /** The last successful restore verification is older than the allowed age, or there is none. */
  verifyStale: "NINES_BACKUP_VERIFY_STALE",
} as const;

/** One of {@link BACKUP_ERRORS}. */
export type BackupErrorCode = (typeof BACKUP_ERRORS)[keyof typeof BACKUP_ERRORS];

/**
 * Builds a backup error with its code, a message naming the place and a hint.
 *
 * @example
 * throw backupError("corrupt", "backup 2026... failed its checksum", { hint: "restore an older backup" });
 */
export function backupError(
  what: keyof typeof BACKUP_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): NinesError {
  return new NinesError(BACKUP_ERRORS[what], message, options);
}
