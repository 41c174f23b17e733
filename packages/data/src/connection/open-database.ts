import type { Kysely } from "kysely";
import type { Dialect } from "../dialect/dialect.js";
import { dialectFor } from "../dialect/dialect-for.js";
import type { Executor } from "./executor.js";

/** Options of `openDatabase` (and `Dialect.open`). */
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
 * path, the `dialect` it was opened with, and `close()`. SQLite uses two
 * connections to the same file in WAL mode (one for each), so a Kysely
 * transaction and a store transaction never share a connection; SQLite's
 * own locking orders them.
 *
 * @example
 * const db = await openDatabase("app.db");
 * db.dialect.name; // "sqlite"
 * await db.kysely.selectFrom("notes").selectAll().execute();
 */
export interface DataConnection {
  readonly dialect: Dialect;
  /** The file path or the URL, as given. */
  readonly target: string;
  // biome-ignore lint/suspicious/noExplicitAny: the application's tables are not known here.
  readonly kysely: Kysely<any>;
  readonly executor: Executor;
  close(): Promise<void>;
}

/**
 * Opens a SQLite file or a PostgreSQL URL (`postgres://` or `postgresql://`,
 * any case) through Kysely 0.28 (better-sqlite3 12 / pg 8), with the
 * engine's `Dialect`. Another `scheme://` location is refused
 * (`NINES_DATA_ENGINE_UNKNOWN`) rather than taken for a file name.
 *
 * @example
 * const db = await openDatabase("app.db");                         // SQLite, WAL mode
 * const pgdb = await openDatabase("postgres://app@127.0.0.1/shop", { schema: "tenant_a" });
 * await db.close();
 */
export async function openDatabase(target: string, options: OpenDatabaseOptions = {}): Promise<DataConnection> {
  return await dialectFor(target).open(target, options);
}
