import { randomBytes } from "node:crypto";
import { type Clock, requireKnownOptions } from "@nines/core";
import { backupError } from "../../backup/errors.js";
import type {
  CopiedRows,
  CopyOwnerRowsOptions,
  DataConnection,
  Dialect,
  OpenDatabaseOptions,
  Scratch,
} from "../dialect.js";
import { PostgresBackupEngine } from "./postgres-backup-engine.js";
import { openPostgres } from "./postgres-connection.js";
import { postgresLifecycleSql } from "./postgres-lifecycle-sql.js";
import { copyPostgresOwnerRows } from "./postgres-owner-rows.js";
import { isPostgresUrl, redactPostgresUrl, withDatabase } from "./postgres-url.js";

/**
 * Options of {@link PostgresDialect}.
 *
 * @example
 * new PostgresDialect({ binDir: "/usr/lib/postgresql/16/bin" });
 */
export interface PostgresDialectOptions {
  /** Directory of pg_dump and pg_restore; found on PATH when omitted. They must be at least the server's version. */
  binDir?: string;
}

/**
 * The PostgreSQL dialect (pg 8): locations are `postgres://` or
 * `postgresql://` URLs, in any case. Not to be confused with Kysely's own
 * `PostgresDialect`, which it uses inside.
 *
 * @example
 * const dialect = new PostgresDialect({ binDir: "/usr/lib/postgresql/16/bin" });
 * await createBackup({ source: "postgres://app@db/shop", dialect, targets: [openTarget("s3://b/shop")] });
 */
export class PostgresDialect implements Dialect {
  readonly name = "postgres" as const;
  readonly backup: PostgresBackupEngine;
  readonly lifecycle = postgresLifecycleSql;
  readonly newLocationHint = "postgres://HOST/NEW_DATABASE";

  constructor(options: PostgresDialectOptions = {}) {
    requireKnownOptions("PostgresDialect", options, ["binDir"]);
    this.backup = new PostgresBackupEngine(options.binDir === undefined ? {} : { binDir: options.binDir });
  }

  accepts(location: string): boolean {
    return isPostgresUrl(location);
  }

  redact(location: string): string {
    return redactPostgresUrl(location);
  }

  async open(location: string, options: OpenDatabaseOptions = {}): Promise<DataConnection> {
    return await openPostgres(this, location, options);
  }

  async scratch(options: { near?: string; beside?: string; purpose: string; clock: Clock }): Promise<Scratch> {
    const near = options.near ?? options.beside;
    if (near === undefined || !isPostgresUrl(near)) {
      throw backupError("destinationInvalid", "a PostgreSQL backup is restored for checking on a PostgreSQL server", {
        hint: "pass --scratch postgres://USER@HOST:PORT/postgres (a throwaway database is created and dropped there)",
      });
    }
    const purpose = options.purpose.replace(/[^a-z0-9]/gi, "_").toLowerCase();
    const location = withDatabase(near, `nines_${purpose}_${randomBytes(4).toString("hex")}`);
    return { location, release: () => this.backup.drop(location) };
  }

  async copyOwnerRows(options: CopyOwnerRowsOptions): Promise<CopiedRows[]> {
    return await copyPostgresOwnerRows(options);
  }
}
