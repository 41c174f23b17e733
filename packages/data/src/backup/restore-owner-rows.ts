import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, requireOption, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import pg from "pg";
import { quoteIdent } from "./engines/engine.js";
import { engineNamed, isPostgresUrl } from "./engines/engine-for.js";
import { backupError } from "./errors.js";
import type { BackupManifest } from "./manifest.js";
import type { OnProgress } from "./progress.js";
import { restoreBackup } from "./restore-backup.js";
import type { BackupTarget } from "./targets/target.js";

/** What to do with a backed-up row whose key already exists in the live table. */
export type OwnerConflictMode = "skip" | "replace" | "fail";

export interface RestoreOwnerRowsOptions {
  from: BackupTarget;
  /** The backup to take the rows from; the newest good one by default (with fallback past corrupt ones). */
  id?: string;
  /** The live database: a SQLite file or a PostgreSQL URL. It must exist. */
  to: string;
  table: string;
  owner: string;
  /** The column naming a row's owner; `owner` by default. */
  ownerColumn?: string;
  /**
   * `skip` (default): keep live rows, restore only missing ones. `replace`: overwrite live rows with the
   * same primary key that belong to the same owner. `fail`: restore nothing when any row conflicts.
   */
  onConflict?: OwnerConflictMode;
  /** PostgreSQL only: server URL for the scratch copy; the live database's server by default. */
  scratch?: string;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** The outcome of {@link restoreOwnerRows}. */
export interface RestoreOwnerRowsResult {
  manifest: BackupManifest;
  /** The owner's rows in the backup. */
  inBackup: number;
  /** Rows written to the live table (inserted or replaced). */
  restored: number;
  /** Rows left alone because a live row held the key. */
  skipped: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function unknownTable(message: string) {
  return backupError("tableUnknown", message, {
    hint: "name an existing table (--table) and its owner column (--owner-column)",
  });
}

function conflict(table: string, owner: string, cause?: unknown) {
  return backupError(
    "ownerConflict",
    `rows of '${owner}' in backup conflict with live rows of ${table}; nothing was restored`,
    {
      hint: "use --on-conflict skip to keep live rows, or replace to overwrite that owner's rows",
      cause,
    },
  );
}

/**
 * Restores one user's rows of one table from a backup into the live
 * database without touching anyone else's: the backup is restored into
 * scratch space (checksum-checked, falling back past corrupt backups), then
 * the rows whose owner column equals `owner` are copied back in one
 * transaction, with conflict handling on the table's keys.
 *
 * @example
 * const r = await restoreOwnerRows({ from: target, to: "app.db", table: "notes", owner: "alice" });
 * console.log(`${r.restored} of alice's notes restored, ${r.skipped} already there`);
 */
export async function restoreOwnerRows(options: RestoreOwnerRowsOptions): Promise<RestoreOwnerRowsResult> {
  const ownerColumn = options.ownerColumn ?? "owner";
  const mode = options.onConflict ?? "skip";
  requireOption(IDENT.test(options.table), "restoreOwnerRows", "table", options.table, "a plain identifier");
  requireOption(IDENT.test(ownerColumn), "restoreOwnerRows", "ownerColumn", ownerColumn, "a plain identifier");
  requireOption(
    ["skip", "replace", "fail"].includes(mode),
    "restoreOwnerRows",
    "onConflict",
    mode,
    "skip, replace or fail",
  );
  const postgres = isPostgresUrl(options.to);
  if (!postgres && !existsSync(options.to)) {
    throw backupError("sourceMissing", `live database ${options.to} does not exist`, {
      hint: "an owner restore copies rows into an existing database; use a full restore for a new one",
    });
  }
  const common = {
    from: options.from,
    clock: options.clock ?? systemClock,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  if (postgres) {
    const scratchUrl = new URL(options.scratch ?? options.to);
    scratchUrl.pathname = `/nines_owner_${randomBytes(4).toString("hex")}`;
    const scratch = scratchUrl.toString();
    const engine = engineNamed("postgres");
    try {
      const { manifest } = await restoreBackup({ ...common, to: scratch, engine });
      return {
        manifest,
        ...(await copyPostgres(scratch, options.to, options.table, ownerColumn, options.owner, mode)),
      };
    } finally {
      await engine.drop(scratch).catch(() => undefined);
    }
  }
  const dir = await mkdtemp(join(tmpdir(), "nines-owner-"));
  try {
    const scratch = join(dir, "backup.sqlite");
    const { manifest } = await restoreBackup({ ...common, to: scratch, engine: engineNamed("sqlite") });
    return { manifest, ...copySqlite(scratch, options.to, options.table, ownerColumn, options.owner, mode) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Counts = { inBackup: number; restored: number; skipped: number };

function copySqlite(
  backup: string,
  live: string,
  table: string,
  ownerColumn: string,
  owner: string,
  mode: OwnerConflictMode,
): Counts {
  const db = new Database(live, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare("ATTACH DATABASE ? AS nines_backup").run(backup);
    const info = (schema: string) =>
      db.prepare(`SELECT name, pk FROM pragma_table_info(?, ?) ORDER BY pk`).all(table, schema) as {
        name: string;
        pk: number;
      }[];
    const liveCols = info("main");
    const backupCols = new Set(info("nines_backup").map((c) => c.name));
    if (liveCols.length === 0) throw unknownTable(`table '${table}' does not exist in ${live}`);
    if (backupCols.size === 0) throw unknownTable(`table '${table}' is not in the backup`);
    if (!liveCols.some((c) => c.name === ownerColumn) || !backupCols.has(ownerColumn)) {
      throw unknownTable(`table '${table}' has no owner column '${ownerColumn}'`);
    }
    const cols = liveCols.filter((c) => backupCols.has(c.name)).map((c) => quoteIdent(c.name));
    const keys = liveCols.filter((c) => c.pk > 0).map((c) => quoteIdent(c.name));
    const t = quoteIdent(table);
    const where = `WHERE ${quoteIdent(ownerColumn)} = ?`;
    const select = `SELECT ${cols.join(", ")} FROM nines_backup.${t} ${where}`;
    let clause = "";
    if (mode === "skip") clause = "ON CONFLICT DO NOTHING";
    if (mode === "replace") {
      if (keys.length === 0)
        throw unknownTable(`table '${table}' has no primary key, which --on-conflict replace needs`);
      const updates = cols.map((c) => `${c} = excluded.${c}`).join(", ");
      // Only the same owner's row is overwritten; a key held by someone else is left alone.
      clause = `ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${updates} WHERE main.${t}.${quoteIdent(ownerColumn)} = excluded.${quoteIdent(ownerColumn)}`;
    }
    const run = db.transaction((): Counts => {
      const inBackup = (db.prepare(`SELECT COUNT(*) AS n FROM nines_backup.${t} ${where}`).get(owner) as { n: number })
        .n;
      try {
        const changes = db.prepare(`INSERT INTO main.${t} (${cols.join(", ")}) ${select} ${clause}`).run(owner).changes;
        return { inBackup, restored: changes, skipped: inBackup - changes };
      } catch (error) {
        if ((error as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT")) throw conflict(table, owner, error);
        throw error;
      }
    });
    return run.immediate();
  } finally {
    db.close();
  }
}

async function copyPostgres(
  backup: string,
  live: string,
  table: string,
  ownerColumn: string,
  owner: string,
  mode: OwnerConflictMode,
): Promise<Counts> {
  const source = new pg.Client({ connectionString: backup });
  const target = new pg.Client({ connectionString: live });
  await source.connect();
  try {
    await target.connect().catch((error: Error) => {
      throw backupError("sourceMissing", `cannot connect to the live database: ${error.message}`, { cause: error });
    });
    const columns = async (client: pg.Client) =>
      (
        await client.query<{ name: string }>(
          "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
          [table],
        )
      ).rows.map((r) => r.name);
    const liveCols = await columns(target);
    const backupCols = new Set(await columns(source));
    if (liveCols.length === 0) throw unknownTable(`table '${table}' does not exist in the live database`);
    if (backupCols.size === 0) throw unknownTable(`table '${table}' is not in the backup`);
    if (!liveCols.includes(ownerColumn) || !backupCols.has(ownerColumn)) {
      throw unknownTable(`table '${table}' has no owner column '${ownerColumn}'`);
    }
    const cols = liveCols.filter((c) => backupCols.has(c)).map(quoteIdent);
    const t = quoteIdent(table);
    const rows =
      (
        await source.query<{ rows: unknown[] }>(
          `SELECT COALESCE(json_agg(x), '[]'::json) AS rows FROM (SELECT ${cols.join(", ")} FROM ${t} WHERE ${quoteIdent(ownerColumn)} = $1) x`,
          [owner],
        )
      ).rows[0]?.rows ?? [];
    let clause = "";
    if (mode === "skip") clause = "ON CONFLICT DO NOTHING";
    if (mode === "replace") {
      const keys = (
        await target.query<{ name: string }>(
          `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE i.indrelid = $1::regclass AND i.indisprimary`,
          [table],
        )
      ).rows.map((r) => quoteIdent(r.name));
      if (keys.length === 0)
        throw unknownTable(`table '${table}' has no primary key, which --on-conflict replace needs`);
      const updates = cols.map((c) => `${c} = EXCLUDED.${c}`).join(", ");
      clause = `ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${updates} WHERE ${t}.${quoteIdent(ownerColumn)} = EXCLUDED.${quoteIdent(ownerColumn)}`;
    }
    await target.query("BEGIN");
    try {
      const result = await target.query(
        `INSERT INTO ${t} (${cols.join(", ")}) SELECT ${cols.join(", ")} FROM json_populate_recordset(NULL::${t}, $1::json) ${clause}`,
        [JSON.stringify(rows)],
      );
      await target.query("COMMIT");
      const restored = result.rowCount ?? 0;
      return { inBackup: rows.length, restored, skipped: rows.length - restored };
    } catch (error) {
      await target.query("ROLLBACK");
      if ((error as { code?: string }).code === "23505") throw conflict(table, owner, error);
      throw error;
    }
  } finally {
    await source.end().catch(() => undefined);
    await target.end().catch(() => undefined);
  }
}
