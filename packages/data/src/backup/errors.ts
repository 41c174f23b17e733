import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code the backup part throws (backups, restores, verification,
 * point-in-time recovery). `docs/data.md` ("Backups and restores") lists
 * them, and a test keeps the two in step.
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
  /** A `--to`/`--from` location that cannot hold backups: not a directory or `s3://bucket/prefix`, a file, a dangling link. */
  targetInvalid: "NINES_BACKUP_TARGET_INVALID",
  /** Reading or writing a target failed (disk, network, permissions). */
  targetFailed: "NINES_BACKUP_TARGET_FAILED",
  /** The backup folder to read from does not exist. */
  locationMissing: "NINES_BACKUP_LOCATION_MISSING",
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
  /** A restore destination or scratch space that cannot be used: a missing folder, a file, no permission, a non-empty folder. */
  destinationInvalid: "NINES_BACKUP_DESTINATION_INVALID",
  /** The backup's engine does not match the destination (a pg dump into a file, ...). */
  engineMismatch: "NINES_BACKUP_ENGINE_MISMATCH",
  /** pg_dump, pg_restore, pg_basebackup or the database failed. */
  toolFailed: "NINES_BACKUP_TOOL_FAILED",
  /** A declared table, its key, owner or parent column, or the newest-data column does not exist. */
  tableUnknown: "NINES_BACKUP_TABLE_UNKNOWN",
  /** An owner restore met rows that already exist and the conflict mode is `fail`. */
  ownerConflict: "NINES_BACKUP_OWNER_CONFLICT",
  /** A restore verification found a problem (integrity, row counts, restore failure). */
  verifyFailed: "NINES_BACKUP_VERIFY_FAILED",
  /** The last successful restore verification is older than the allowed age, or there is none. */
  verifyStale: "NINES_BACKUP_VERIFY_STALE",
  /** The server does not archive its WAL, so a base backup cannot be replayed to a later moment. */
  walNotArchived: "NINES_BACKUP_WAL_NOT_ARCHIVED",
  /** A folder given as a base backup is not one (no PG_VERSION or backup_label). */
  baseInvalid: "NINES_BACKUP_BASE_INVALID",
  /** A point-in-time recovery did not finish: replay stopped short of the target, or took too long. */
  recoveryFailed: "NINES_BACKUP_RECOVERY_FAILED",
} as const;

/** One of {@link BACKUP_ERRORS}. */
export type BackupErrorCode = (typeof BACKUP_ERRORS)[keyof typeof BACKUP_ERRORS];

/**
 * The error family of backups, restores, verification and point-in-time
 * recovery; `code` is one of {@link BACKUP_ERRORS}.
 *
 * @example
 * try { await restoreBackup({ from, to }); } catch (e) { if (isNinesError(e, BACKUP_ERRORS.corrupt)) return tryOlderBackup(); throw e; }
 */
export class BackupError extends NinesError {
  override get name(): string {
    return "BackupError";
  }
}

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
): BackupError {
  return new BackupError(BACKUP_ERRORS[what], message, options);
}
