import { spawn } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { backupError } from "../errors.js";
import type { OnProgress } from "../progress.js";
import { syncPath } from "../targets/local-dir-target.js";
import {
  type BackupEngine,
  quoteIdent,
  type RestoredCheck,
  type SnapshotInfo,
  splitColumn,
  toEpochMs,
} from "./engine.js";

export interface PostgresEngineOptions {
  /** Directory of pg_dump and pg_restore; found on PATH when omitted. They must be at least the server's version. */
  binDir?: string;
}

/** The database named by a URL and a URL of the same server's maintenance database. */
function splitUrl(url: string): { database: string; maintenance: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw backupError("targetInvalid", `'${url}' is not a PostgreSQL URL`, {
      hint: "write postgres://USER@HOST:PORT/DATABASE",
      cause: error,
    });
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) {
    throw backupError("targetInvalid", `'${url}' names no database`, {
      hint: "write postgres://USER@HOST:PORT/DATABASE",
    });
  }
  parsed.pathname = database === "postgres" ? "/template1" : "/postgres";
  return { database, maintenance: parsed.toString() };
}

async function connect(url: string, what: "sourceMissing" | "toolFailed" = "toolFailed"): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
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

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

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

/** Runs a PostgreSQL client program; rejects with its stderr. */
async function runTool(program: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (onLine) for (const line of chunk.split("\n")) if (line.trim()) onLine(line.trim());
    });
    child.once("error", (error) =>
      reject(
        backupError("toolFailed", `cannot run ${program}: ${error.message}`, {
          hint: "install the PostgreSQL client programs ('apt-get install -y postgresql-client') or set binDir",
          cause: error,
        }),
      ),
    );
    child.once("close", (code) => {
      if (code === 0) resolve();
      else {
        const errors = stderr
          .split("\n")
          .filter((l) => /error|fatal/i.test(l))
          .slice(0, 5)
          .join("; ");
        reject(
          backupError("toolFailed", `${program} exited with status ${code}: ${errors || stderr.slice(-500)}`, {
            hint: "read the message above; a pg_dump older than the server refuses to run",
          }),
        );
      }
    });
  });
}

/**
 * Backups of PostgreSQL databases with `pg_dump --format=custom`. The dump
 * and the manifest's row counts come from one exported snapshot (a
 * repeatable-read transaction whose snapshot pg_dump joins with
 * `--snapshot`), so the counts describe exactly the data in the dump while
 * writers carry on. Restores create a new database and run `pg_restore`
 * into it; a failed restore drops what it created.
 *
 * @example
 * const engine = new PostgresEngine();
 * await engine.snapshot({ source: "postgres://app@127.0.0.1:5432/orders", file: "/tmp/orders.pgdump" });
 * await engine.restore({ file: "/tmp/orders.pgdump", location: "postgres://app@127.0.0.1:5432/orders_copy" });
 */
export class PostgresEngine implements BackupEngine {
  readonly name = "postgres" as const;
  readonly dataFile = "data.pgdump";
  readonly #binDir: string | undefined;

  constructor(options: PostgresEngineOptions = {}) {
    this.#binDir = options.binDir;
  }

  #program(name: string): string {
    return this.#binDir ? join(this.#binDir, name) : name;
  }

  describe(source: string): string {
    return redact(source);
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
      options.onProgress?.({ phase: "snapshot", message: `pg_dump of ${redact(options.source)}` });
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
          if (table) options.onProgress?.({ phase: "snapshot", message: `table ${table}` });
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
        options.onProgress?.({ phase: "restore", message: `pg_restore into ${database}` });
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
