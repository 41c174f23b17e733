import { type Clock, type OnProgress, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import type { CopiedRows, Dialect, OwnerConflictMode } from "../dialect/dialect.js";
import { dialectFor } from "../dialect/dialect-for.js";
import type { Declaration } from "../lifecycle/declaration.js";
import { backupError } from "./errors.js";
import type { BackupManifest } from "./manifest.js";
import { backupTables, checkLiveTables } from "./owner-rows/check-tables.js";
import { planOwnerRestore } from "./owner-rows/owner-plan.js";
import { noteProgress } from "./progress.js";
import { restoreBackup } from "./restore-backup.js";
import type { BackupTarget } from "./targets/target.js";

export type { OwnerConflictMode } from "../dialect/dialect.js";

/**
 * Options of {@link restoreOwnerRows}.
 *
 * @example
 * const options: RestoreOwnerRowsOptions = { from: target, to: "app.db", declaration, owner: "alice", tables: ["folders"] };
 */
export interface RestoreOwnerRowsOptions {
  from: BackupTarget;
  /** The backup to take the rows from; the newest good one by default (with fallback past corrupt ones). */
  id?: string;
  /** The live database: a SQLite file or a PostgreSQL URL. It must exist. */
  to: string;
  /** The application's tables, keys, owner columns and parents (`loadDeclaration("nines-data.json")`). */
  declaration: Declaration;
  owner: string;
  /** The tables whose rows of `owner` to restore, with their children; every declared table by default. */
  tables?: readonly string[];
  /**
   * `skip` (default): keep live rows, restore only missing ones. `replace`: overwrite live rows with the
   * same key that belong to the same owner. `fail`: restore nothing when any row conflicts.
   */
  onConflict?: OwnerConflictMode;
  /** Where to restore the backup for reading: a folder (SQLite), a server URL (PostgreSQL; the live one by default). */
  scratch?: string;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** The outcome of {@link restoreOwnerRows}. */
export interface RestoreOwnerRowsResult {
  manifest: BackupManifest;
  /** Per table, parents first: the owner's rows (and their children) in the backup, restored, and left alone. */
  tables: CopiedRows[];
  /** Declared tables the backup does not have (added since it was taken). */
  notInBackup: string[];
  /** Sums over the tables. */
  inBackup: number;
  restored: number;
  skipped: number;
}

const KNOWN = ["from", "id", "to", "declaration", "owner", "tables", "onConflict", "scratch", "clock", "onProgress"];

/**
 * Restores one user's rows from a backup into the live database without
 * touching anyone else's. The tables come from the declaration of the
 * application's tables: each one's key and owner column, and its parents,
 * so an owner's groups come back whole (a folder with its notes and their
 * tags, whoever owns the children) in one run. The live tables and columns
 * are checked before anything is downloaded; then the backup is restored
 * into scratch space (checksum-checked, falling back past corrupt backups)
 * and the rows are copied in one transaction, parents first, with conflict
 * handling on each table's key.
 *
 * @example
 * const r = await restoreOwnerRows({ from: target, to: "app.db", declaration: loadDeclaration("nines-data.json"), owner: "alice" });
 * console.log(`${r.restored} of alice's rows restored, ${r.skipped} already there`);
 */
export async function restoreOwnerRows(options: RestoreOwnerRowsOptions): Promise<RestoreOwnerRowsResult> {
  requireKnownOptions("restoreOwnerRows", options, KNOWN);
  const mode = options.onConflict ?? "skip";
  requireOption(
    ["skip", "replace", "fail"].includes(mode),
    "restoreOwnerRows",
    "onConflict",
    mode,
    "skip, replace or fail",
  );
  requireOption(
    typeof options.owner === "string" && options.owner !== "",
    "restoreOwnerRows",
    "owner",
    options.owner,
    "a user id",
  );
  const clock = options.clock ?? systemClock;
  const plan = planOwnerRestore(options.declaration, options.tables);
  const dialect: Dialect = dialectFor(options.to);
  if (!(await dialect.backup.exists(options.to))) {
    throw backupError("sourceMissing", `live database ${dialect.redact(options.to)} does not exist`, {
      hint: "an owner restore copies rows into an existing database; use a full restore for a new one",
    });
  }
  await checkLiveTables(dialect, options.to, plan.tables);

  const scratch = await dialect.scratch({
    ...(options.scratch === undefined ? {} : { near: options.scratch }),
    beside: options.to,
    purpose: "owner",
    clock,
  });
  try {
    const { manifest } = await restoreBackup({
      from: options.from,
      to: scratch.location,
      dialect,
      clock,
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const { present, absent } = await backupTables(dialect, scratch.location, plan.tables, manifest.id);
    options.onProgress?.(noteProgress("copy", `rows of ${options.owner} in ${present.map((t) => t.name).join(", ")}`));
    const tables = await dialect.copyOwnerRows({
      backup: scratch.location,
      live: options.to,
      owner: options.owner,
      tables: present,
      roots: plan.roots.filter((r) => !absent.includes(r)),
      mode,
    });
    const sum = (k: "inBackup" | "restored" | "skipped") => tables.reduce((n, t) => n + t[k], 0);
    return {
      manifest,
      tables,
      notInBackup: absent,
      inBackup: sum("inBackup"),
      restored: sum("restored"),
      skipped: sum("skipped"),
    };
  } finally {
    await scratch.release();
  }
}
