import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code of lazy deletion and the purge worker, the one list
 * (docs/data.md lists them too; a test keeps the two in step).
 *
 * @example
 * if (isNinesError(error, LIFECYCLE_ERRORS.notFound)) reply(404);
 */
export const LIFECYCLE_ERRORS = {
  /** The declaration (or its file) is invalid, or a filter names a column the application may not use. */
  declaration: "NINES_DATA_DECLARATION_INVALID",
  /** A table is not declared, or a declared table does not exist. */
  unknownTable: "NINES_DATA_TABLE_UNKNOWN",
  /** The database was not prepared for lazy deletion. */
  schemaMissing: "NINES_DATA_SCHEMA_MISSING",
  /** The actor is not `{ id: non-empty string, admin?: boolean }`. */
  actorInvalid: "NINES_DATA_ACTOR_INVALID",
  /** No row the actor may see with that key (missing, someone else's, or out of the user's reach). */
  notFound: "NINES_DATA_NOT_FOUND",
  /** The operation is for administrators, or a user writes a row for someone else. */
  forbidden: "NINES_DATA_FORBIDDEN",
  /** Restoring or deleting forever a row that is live. */
  notDeleted: "NINES_DATA_NOT_DELETED",
  /** Deleting forever a row that has already left the trash. */
  notInTrash: "NINES_DATA_NOT_IN_TRASH",
  /** Restoring a row past its soft-delete period. */
  restoreExpired: "NINES_DATA_RESTORE_EXPIRED",
  /** A restored unique value is held by a live row. */
  restoreConflict: "NINES_DATA_RESTORE_CONFLICT",
  /** Inserting under, or restoring into, a parent that is not live. */
  parentDeleted: "NINES_DATA_PARENT_DELETED",
  /** Insert or update: a live row holds that unique value. */
  uniqueTaken: "NINES_DATA_UNIQUE_TAKEN",
  /** A legal hold without a reason. */
  held: "NINES_DATA_HELD",
  /** Releasing a row that has no legal hold. */
  notHeld: "NINES_DATA_NOT_HELD",
  /** The purge would remove an unusual share of the data. */
  purgeUnusual: "NINES_DATA_PURGE_UNUSUAL",
} as const;

/**
 * One of {@link LIFECYCLE_ERRORS}' codes.
 *
 * @example
 * const code: LifecycleErrorCode = LIFECYCLE_ERRORS.notFound;
 */
export type LifecycleErrorCode = (typeof LIFECYCLE_ERRORS)[keyof typeof LIFECYCLE_ERRORS];

/**
 * The error family of lazy deletion and the purge worker: every error they
 * throw is one, with a code from {@link LIFECYCLE_ERRORS} (option errors
 * are core's `OptionError`, as in every part).
 *
 * @example
 * try {
 *   await store.restore(alice, "notes", 12);
 * } catch (error) {
 *   if (isNinesError(error, LIFECYCLE_ERRORS.unknownTable)) return notFound();
 *   throw error;
 * }
 */
export class LifecycleError extends NinesError {
  override get name(): string {
    return "LifecycleError";
  }
}

/** Builds a coded {@link LifecycleError}: one place for the shape. */
export function lifecycleError(
  what: keyof typeof LIFECYCLE_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): LifecycleError {
  return new LifecycleError(LIFECYCLE_ERRORS[what], message, options);
}
