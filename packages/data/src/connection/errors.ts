import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code of opening a database (`openDatabase`, `dialectFor`),
 * listed in `docs/data.md` (a test keeps the two in step).
 *
 * @example
 * if (isNinesError(error, DATABASE_ERRORS.missing)) console.error("no such database file");
 */
export const DATABASE_ERRORS = {
  /** The SQLite file to open does not exist (and `create` was not asked). */
  missing: "NINES_DATA_DB_MISSING",
  /** The database could not be opened or reached. */
  open: "NINES_DATA_DB_OPEN",
  /** A `scheme://` location that names no engine nines speaks (only files and postgres:// URLs). */
  engineUnknown: "NINES_DATA_ENGINE_UNKNOWN",
} as const;

/** One of {@link DATABASE_ERRORS}. */
export type DatabaseErrorCode = (typeof DATABASE_ERRORS)[keyof typeof DATABASE_ERRORS];

/**
 * The error family of opening databases; `code` is one of {@link DATABASE_ERRORS}.
 *
 * @example
 * await openDatabase("missing.db", { create: false }).catch((e: DatabaseError) => console.error(e.describe()));
 */
export class DatabaseError extends NinesError {
  override get name(): string {
    return "DatabaseError";
  }
}

/** Builds a database error (one place for the shape). */
export function databaseError(
  what: keyof typeof DATABASE_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): DatabaseError {
  return new DatabaseError(DATABASE_ERRORS[what], message, options);
}
