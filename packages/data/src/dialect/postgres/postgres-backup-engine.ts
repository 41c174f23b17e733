import { join } from "node:path";
import type { OnProgress } from "@nines/core";
import pg from "pg";
import type { BackupEngine, RestoredCheck, SnapshotInfo } from "../../backup/backup-engine.js";
import { backupError } from "../../backup/errors.js";
import { splitColumn, toEpochMs } from "../../backup/newest-column.js";
import { noteProgress } from "../../backup/progress.js";
import { syncPath } from "../../backup/sync-path.js";
import { quoteIdent } from "../quote-ident.js";
import { redactPostgresUrl as redact, splitDatabaseUrl as splitUrl } from "./postgres-url.js";
import { runPostgresTool as runTool } from "./run-postgres-tool.js";

/** Connects one client; a refusal is the given code with the URL's password hidden. */
export async function connectOrThrow(
  url: string,
  what: "sourceMissing" | "toolFailed" = "toolFailed",
): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw backupError(what, `cannot connect to ${redact(url)}: ${(error as Error).message}`, {
      hint: "check that PostgreSQL runs there and the URL's user, password and database are right",
      cause: error,
    });
  }
}

const connect = connectOrThrow;

async function userTables(client: pg.Client): Promise<{ key: string; sql: string }[]> {
  const result = await client.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
     ORDER BY table_schema, table_name`,
  );
  return result.rows.map((r) => ({
    key: r.schema === "public" ? r.name : `${r.schema}.${r.name}`,
    sql: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
  }));
}

async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await userTables(client)) {
    const result = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table.sql}`);
    counts[table.key] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

/**
 * Backups of PostgreSQL databases with `pg_dump --format=custom` (the
 * PostgreSQL dialect's `backup`). The dump and the manifest's row counts come from one exported snapshot (a
 * repeatable-read transaction whose snapshot pg_dump joins with
 * `--snapshot`), so the counts describe exactly the data in the dump while
 * writers carry on. Restores create a new database and run `pg_restore`
 * into it; a failed restore drops what it created.
 *
 * @example
 * const engine = new PostgresBackupEngine({ binDir: "/usr/lib/postgresql/16/bin" });
 * await engine.snapshot({ source: "postgres://app@127.0.0.1:5432/orders", file: "/tmp/orders.pgdump" });
 * await engine.restore({ file: "/tmp/orders.pgdump", location: "postgres://app@127.0.0.1:5432/orders_copy" });
 */
export class PostgresBackupEngine implements BackupEngine {
  readonly dataFile = "data.pgdump";
  readonly #binDir: string | undefined;

  constructor(options: { binDir?: string } = {}) {
    this.#binDir = options.binDir;
  }

  #program(name: string): string {
    return this.#binDir ? join(this.#binDir, name) : name;
  }

  async snapshot(options: {
    source: string;
    file: string;
    newestColumn?: string;
    onProgress?: OnProgress;
  }): Promise<SnapshotInfo> {
    const newest = options.newestColumn === undefined ? undefined : splitColumn(options.newestColumn);
    splitUrl(options.source);
    const client = await connect(options.source, "sourceMissing");
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]?.id ?? "";
      const engineVersion = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]
        ?.server_version as string;
      const rowCounts = await countRows(client);
      let newestDataAt: number | undefined;
      if (newest) {
        if (!(newest.table in rowCounts)) {
          throw backupError(
            "tableUnknown",
            `table '${newest.table}' (from the newest-data column) is not in the database`,
            {
              hint: "name an existing table.column holding timestamps",
            },
          );
        }
        const row = await client.query<{ v: unknown }>(
          `SELECT MAX(${quoteIdent(newest.column)}) AS v FROM ${quoteIdent(newest.table)}`,
        );
        newestDataAt = toEpochMs(row.rows[0]?.v);
      }
      options.onProgress?.(noteProgress("snapshot", `pg_dump of ${redact(options.source)}`));
      await runTool(
        this.#program("pg_dump"),
        [
          "--format=custom",
          `--snapshot=${snapshot}`,
          "--no-password",
          "--verbose",
          `--file=${options.file}`,
          `--dbname=${options.source}`,
        ],
        (line) => {
          const table = /dumping contents of table "([^"]+)"/.exec(line)?.[1];
          if (table) options.onProgress?.(noteProgress("snapshot", `table ${table}`));
        },
      );
      await client.query("COMMIT");
      await syncPath(options.file);
      return {
        engineVersion,
        method: "pg_dump-custom",
        rowCounts,
        ...(newestDataAt === undefined ? {} : { newestDataAt }),
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async exists(location: string): Promise<boolean> {
    const { database, maintenance } = splitUrl(location);
    const client = await connect(maintenance);
    try {
      const result = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      return result.rowCount === 1;
    } finally {
      await client.end();
    }
  }

  async restore(options: { file: string; location: string; force?: boolean; onProgress?: OnProgress }): Promise<void> {
    const { database, maintenance } = splitUrl(options.location);
    const admin = await connect(maintenance);
    try {
      const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])).rowCount === 1;
      if (exists && !options.force) {
        throw backupError(
          "restoreExists",
          `database '${database}' already exists; a restore never overwrites live data by default`,
          {
            hint: "restore into a new database name, or pass --force to drop and replace it",
          },
        );
      }
      if (exists) await admin.query(`DROP DATABASE ${quoteIdent(database)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${quoteIdent(database)} TEMPLATE template0`);
      try {
        options.onProgress?.(noteProgress("restore", `pg_restore into ${database}`));
        await runTool(this.#program("pg_restore"), [
          "--no-owner",
          "--no-privileges",
          "--exit-on-error",
          "--no-password",
          `--dbname=${options.location}`,
          options.file,
        ]);
      } catch (error) {
        // Leave nothing half-restored behind.
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`).catch(() => undefined);
        throw error;
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  stagingFolderFor(): undefined {
    return undefined;
  }

  async check(location: string): Promise<RestoredCheck> {
    let client: pg.Client | undefined;
    try {
      client = await connect(location);
      return { problems: [], rowCounts: await countRows(client) };
    } catch (error) {
      return { problems: [`cannot query the restored database: ${(error as Error).message}`], rowCounts: {} };
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  async drop(location: string): Promise<void> {
    const { database, maintenance } = splitUrl(location);
    const admin = await connect(maintenance);
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
