import type { Clock } from "@nines/core";
import type { Kysely } from "kysely";
import type { BackupEngine } from "../backup/backup-engine.js";
import type { Executor } from "../connection/executor.js";
import type { EngineName } from "./engine-name.js";
import type { LifecycleSql } from "./lifecycle-sql.js";

export type { EngineName } from "./engine-name.js";
export type { LifecycleSql } from "./lifecycle-sql.js";

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

/** What to do with a backed-up row whose key already exists in the live table. */
export type OwnerConflictMode = "skip" | "replace" | "fail";

/** A declared table as an owner restore copies it. */
export interface OwnerTable {
  readonly name: string;
  /** The single-column primary key. */
  readonly key: string;
  /** The column naming the row's owner. */
  readonly owner: string;
  /** Columns holding a parent row's key (a table may be its own parent). */
  readonly parents: readonly { readonly table: string; readonly column: string }[];
}

/**
 * One owner restore: which rows of `backup` (a restored scratch copy) go
 * back into `live`. A table's rows are those of `owner` in the `roots`
 * tables, and every row whose parent column points at a chosen row
 * (children, grandchildren...), whoever owns it: a group comes back whole.
 */
export interface CopyOwnerRowsOptions {
  backup: string;
  live: string;
  owner: string;
  /** Every table to look at, parents before children. */
  tables: readonly OwnerTable[];
  /** The tables whose rows of `owner` start the groups (a subset of `tables`). */
  roots: readonly string[];
  mode: OwnerConflictMode;
}

/** What an owner restore did to one table. */
export interface CopiedRows {
  table: string;
  /** The chosen rows in the backup. */
  inBackup: number;
  /** Rows written to the live table (inserted or replaced). */
  restored: number;
  /** Rows left alone because a live row held the key. */
  skipped: number;
}

/** A throwaway place to restore a backup into; `release()` removes it. */
export interface Scratch {
  readonly location: string;
  release(): Promise<void>;
}

/**
 * Everything that differs between SQLite and PostgreSQL, in one object per
 * engine (Kysely's model): which locations it owns, how to show one without
 * secrets, how to open it, how to back it up and restore it, how to copy
 * one owner's rows from a backup into a live database, and the SQL the
 * lifecycle store needs that the engines spell differently. Other code asks
 * the dialect; it never checks the engine itself. Get one with `dialectFor`.
 *
 * @example
 * const dialect = dialectFor("postgres://app:secret@db/shop");
 * dialect.name;                                   // "postgres"
 * dialect.redact("postgres://app:secret@db/shop"); // "postgres://app:***@db/shop"
 * const db = await dialect.open("postgres://app:secret@db/shop");
 */
export interface Dialect {
  readonly name: EngineName;
  /** True when `location` names a database of this engine (a file path; a `postgres://` URL, any case). */
  accepts(location: string): boolean;
  /** `location` safe to print and store: a SQLite path made absolute, a URL with its password hidden. */
  redact(location: string): string;
  /** How a hint names a new database of this engine: `a new .db file path`, `postgres://HOST/NEW_DATABASE`. */
  readonly newLocationHint: string;
  /** Opens a connection: Kysely for the application's queries, an executor for the store. */
  open(location: string, options?: OpenDatabaseOptions): Promise<DataConnection>;
  /** Backups and restores of this engine's databases. */
  readonly backup: BackupEngine;
  /**
   * A throwaway place for a restore that is checked and thrown away
   * (verification, owner restores): a file in a staging folder inside
   * `near` (a folder; the system's temporary folder by default) for SQLite,
   * a new database on the server `near` names (or, without `near`, the
   * server of the database `beside`) for PostgreSQL.
   */
  scratch(options: { near?: string; beside?: string; purpose: string; clock: Clock }): Promise<Scratch>;
  /** Copies one owner's rows (with their children) from a restored backup into the live database, in one transaction. */
  copyOwnerRows(options: CopyOwnerRowsOptions): Promise<CopiedRows[]>;
  /** The lifecycle store's engine-specific SQL: column types, the schema lock, row locks. */
  readonly lifecycle: LifecycleSql;
}
