import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code of running PostgreSQL server programs locally
 * (`LocalPostgres`, `findPostgresBin`), listed in `docs/failover.md` (a test
 * keeps the two in step).
 *
 * @example
 * if (isNinesError(error, POSTGRES_SERVER_ERRORS.missing)) console.error("install postgresql");
 */
export const POSTGRES_SERVER_ERRORS = {
  /** No PostgreSQL server programs were found. */
  missing: "NINES_DATA_PG_MISSING",
  /** Running as root and there is no `postgres` user to run the server as. */
  user: "NINES_DATA_PG_USER",
  /** A new cluster was asked for in a folder that exists. */
  dirExists: "NINES_DATA_PG_DIR_EXISTS",
  /** The server exited while starting or did not accept connections in time. */
  start: "NINES_DATA_PG_START",
  /** A server program (initdb, pg_basebackup...) failed. */
  command: "NINES_DATA_PG_COMMAND",
} as const;

/** One of {@link POSTGRES_SERVER_ERRORS}. */
export type PostgresServerErrorCode = (typeof POSTGRES_SERVER_ERRORS)[keyof typeof POSTGRES_SERVER_ERRORS];

/**
 * The error family of `LocalPostgres` and `findPostgresBin`; `code` is one
 * of {@link POSTGRES_SERVER_ERRORS}.
 *
 * @example
 * await server.start().catch((e: PostgresServerError) => console.error(e.details["log"]));
 */
export class PostgresServerError extends NinesError {
  override get name(): string {
    return "PostgresServerError";
  }
}

/** Builds a PostgreSQL server error (one place for the shape). */
export function postgresServerError(
  what: keyof typeof POSTGRES_SERVER_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): PostgresServerError {
  return new PostgresServerError(POSTGRES_SERVER_ERRORS[what], message, options);
}
