import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import { prepareFolder, unwritableFolder } from "../../backup/fs-errors.js";
import { StagingArea } from "../../backup/staging/staging-area.js";
import { sweepStaging } from "../../backup/staging/sweep-staging.js";
import type {
  CopiedRows,
  CopyOwnerRowsOptions,
  DataConnection,
  Dialect,
  OpenDatabaseOptions,
  Scratch,
} from "../dialect.js";
import { isPostgresUrl } from "../postgres/postgres-url.js";
import { SqliteBackupEngine, type SqliteBackupMethod } from "./sqlite-backup-engine.js";
import { openSqlite } from "./sqlite-connection.js";
import { sqliteLifecycleSql } from "./sqlite-lifecycle-sql.js";
import { copySqliteOwnerRows } from "./sqlite-owner-rows.js";

/**
 * Options of {@link SqliteDialect}.
 *
 * @example
 * new SqliteDialect({ backupMethod: "vacuum-into", clock: systemClock });
 */
export interface SqliteDialectOptions {
  /**
   * How backups copy the file: `file-copy` (default: the file and its log
   * copied inside the kernel under a read transaction; SQLite's backup API
   * when they cannot be copied), `backup-api` (SQLite's online backup API,
   * page by page) or `vacuum-into` (a compacted copy). See
   * docs/benchmarks.md.
   */
  backupMethod?: SqliteBackupMethod;
  /** Time for progress polling and staging leases; the system clock by default. */
  clock?: Clock;
}

/** Any `scheme://` prefix: a URL, which a file path never starts with. */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The SQLite dialect (better-sqlite3 12): locations are file paths. Not to
 * be confused with Kysely's own `SqliteDialect`, which it uses inside.
 *
 * @example
 * const dialect = new SqliteDialect({ backupMethod: "vacuum-into" });
 * await createBackup({ source: "app.db", dialect, targets: [openTarget("/backups")] });
 */
export class SqliteDialect implements Dialect {
  readonly name = "sqlite" as const;
  readonly backup: SqliteBackupEngine;
  readonly lifecycle = sqliteLifecycleSql;
  readonly newLocationHint = "a new .db file path";
  readonly #clock: Clock;

  constructor(options: SqliteDialectOptions = {}) {
    requireKnownOptions("SqliteDialect", options, ["backupMethod", "clock"]);
    const method = options.backupMethod ?? "file-copy";
    requireOption(
      method === "file-copy" || method === "backup-api" || method === "vacuum-into",
      "SqliteDialect",
      "backupMethod",
      method,
      "file-copy, backup-api or vacuum-into",
    );
    this.#clock = options.clock ?? systemClock;
    this.backup = new SqliteBackupEngine({ method, clock: this.#clock });
  }

  accepts(location: string): boolean {
    return !URL_SCHEME.test(location) && !isPostgresUrl(location);
  }

  redact(location: string): string {
    return resolve(location);
  }

  async open(location: string, options: OpenDatabaseOptions = {}): Promise<DataConnection> {
    return openSqlite(this, location, options);
  }

  async scratch(options: { near?: string; beside?: string; purpose: string; clock: Clock }): Promise<Scratch> {
    const folder = resolve(options.near ?? tmpdir());
    await prepareFolder(folder, "scratch folder", { create: false });
    await sweepStaging(folder, options.clock.now());
    const area = await StagingArea.create(folder, { operation: options.purpose, clock: options.clock }).catch(
      (error: unknown) => {
        throw unwritableFolder(folder, "scratch folder", error);
      },
    );
    const location = area.path("restored.sqlite");
    return {
      location,
      release: async () => {
        await this.backup.drop(location);
        await area.release();
      },
    };
  }

  async copyOwnerRows(options: CopyOwnerRowsOptions): Promise<CopiedRows[]> {
    return await copySqliteOwnerRows(options);
  }
}
