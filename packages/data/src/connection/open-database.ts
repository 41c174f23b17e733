import { existsSync } from "node:fs";
import { NinesError } from "@nines/core";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { EngineDialect, Executor } from "./executor.js";
import { PostgresExecutor } from "./postgres-executor.js";
import { SqliteExecutor } from "./sqlite-executor.js";

/** Error code: the SQLite file to open does not exist (and `create` was not asked). */
export const DB_MISSING = "NINES_DATA_DB_MISSING";
/** Error code: the database could not be opened or reached. */
export const DB_OPEN = "NINES_DATA_DB_OPEN";

export interface OpenDatabaseOptions {
  /** SQLite: create the file when missing (default true; the CLI says false). */
  create?: boolean;
  /** PostgreSQL: the schema to work in (set as `search_path`; created when missing). */
  schema?: string;
  /** PostgreSQL: pool size (default 10). */
  poolSize?: number;
}

/**
 * An open database: `kysely` for the application's own queries (with
 * `visible()` from the lifecycle store), `executor` for the store's hot
 * path, and `close()`. SQLite uses two connections to the same file in WAL
 * mode (one for each), so a Kysely transaction and a store transaction
 * never share a connection; SQLite's own locking orders them.
 */
export interface DataConnection {
  readonly dialect: EngineDialect;
  /** The file path or the URL, as given. */
  readonly target: string;
  // biome-ignore lint/suspicious/noExplicitAny: the application's tables are not known here.
  readonly kysely: Kysely<any>;
  readonly executor: Executor;
  close(): Promise<void>;
}

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresTarget(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Opens a SQLite file or a PostgreSQL URL through Kysely 0.28
 * (better-sqlite3 12 / pg 8).
 *
 * @example
 * const db = await openDatabase("app.db");                         // SQLite, WAL mode
 * const pgdb = await openDatabase("postgres://app@127.0.0.1/shop", { schema: "tenant_a" });
 * await db.close();
 */
export async function openDatabase(target: string, options: OpenDatabaseOptions = {}): Promise<DataConnection> {
  return isPostgresTarget(target) ? await openPostgres(target, options) : openSqlite(target, options);
}

function openSqlite(file: string, options: OpenDatabaseOptions): DataConnection {
  if (options.create === false && !existsSync(file)) {
    throw new NinesError(DB_MISSING, `database file ${file} does not exist`, {
      hint: "check the --db path; nines never creates a database it was asked to change",
    });
  }
  const open = () => {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    // NORMAL is durable across process crashes in WAL mode; only a power loss can lose the last commits.
    db.pragma("synchronous = NORMAL");
    return db;
  };
  let store: Database.Database;
  let app: Database.Database;
  try {
    store = open();
    app = open();
  } catch (error) {
    throw new NinesError(DB_OPEN, `cannot open SQLite database ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: "check that the file is a SQLite database and that you may write to its folder",
    });
  }
  const kysely = new Kysely({ dialect: new SqliteDialect({ database: app }) });
  return {
    dialect: "sqlite",
    target: file,
    kysely,
    executor: new SqliteExecutor(store),
    async close() {
      await kysely.destroy();
      store.close();
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<DataConnection> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new NinesError(DB_OPEN, `schema name '${schema}' is not a plain identifier`, {
      hint: "use letters, digits and underscores",
    });
  }
  if (schema !== undefined) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query(`create schema if not exists "${schema}"`);
    } catch (error) {
      throw reachError(url, error);
    } finally {
      await client.end().catch(() => {});
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on("error", () => {
    // An idle connection dropped by the server: the pool replaces it; statements report their own errors.
  });
  try {
    await pool.query("select 1");
  } catch (error) {
    await pool.end();
    throw reachError(url, error);
  }
  const kysely = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: "postgres",
    target: url,
    kysely,
    executor: new PostgresExecutor(pool),
    async close() {
      // Kysely's destroy ends the pool.
      await kysely.destroy();
    },
  };
}

function reachError(url: string, error: unknown): NinesError {
  const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
  return new NinesError(DB_OPEN, `cannot reach PostgreSQL at ${safe}: ${(error as Error).message}`, {
    cause: error,
    hint: "check the URL, that the server runs, and the credentials",
  });
}
