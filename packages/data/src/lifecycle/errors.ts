import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code of lazy deletion and the purge worker (listed in
 * docs/data.md; a test keeps the two in step).
 */
export const LIFECYCLE_ERRORS = {
  declaration: "NINES_DATA_DECLARATION_INVALID",
  unknownTable: "NINES_DATA_TABLE_UNKNOWN",
  schemaMissing: "NINES_DATA_SCHEMA_MISSING",
  notFound: "NINES_DATA_NOT_FOUND",
  forbidden: "NINES_DATA_FORBIDDEN",
  notDeleted: "NINES_DATA_NOT_DELETED",
  restoreExpired: "NINES_DATA_RESTORE_EXPIRED",
  restoreConflict: "NINES_DATA_RESTORE_CONFLICT",
  parentDeleted: "NINES_DATA_PARENT_DELETED",
  uniqueTaken: "NINES_DATA_UNIQUE_TAKEN",
  held: "NINES_DATA_HELD",
  notHeld: "NINES_DATA_NOT_HELD",
  purgeUnusual: "NINES_DATA_PURGE_UNUSUAL",
} as const;

/** One of {@link LIFECYCLE_ERRORS}' codes. */
export type LifecycleErrorCode = (typeof LIFECYCLE_ERRORS)[keyof typeof LIFECYCLE_ERRORS];

/** Builds a coded lifecycle error (internal helper, one place for the shape). */
export function lifecycleError(
  what: keyof typeof LIFECYCLE_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): NinesError {
  return new NinesError(LIFECYCLE_ERRORS[what], message, options);
}
