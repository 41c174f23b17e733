import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type Clock, requireOption, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import { type ChecksumScheme, fileBlockChecksum } from "../block-checksum.js";
import { backupError } from "../errors.js";
import { followBlockChecksum } from "../follow-block-checksum.js";
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
import { snapshotInThread } from "./sqlite-snapshot-thread.js";

/** How the snapshot is taken: SQLite's online backup API (page copy) or `VACUUM INTO` (rebuilds, compacts). */
export type SqliteBackupMethod = "backup-api" | "vacuum-into";

export interface SqliteEngineOptions {
  /** Clock for progress polling; the system clock by default. */
  clock?: Clock;
  /**
   * `backup-api` by default: the two are close, and the backup API needs less CPU (it copies pages without
   * rebuilding b-trees; see docs/benchmarks.md); `vacuum-into` writes a compacted copy.
   */
  method?: SqliteBackupMethod;
}

function userTables(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

function countRows(db: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of userTables(db)) {
    const row = db.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdent(table)}`).get() as { n: number };
    counts[table] = row.n;
  }
  return counts;
}

function openSource(source: string): Database.Database {
  if (!existsSync(source)) {
    throw backupError("sourceMissing", `SQLite database ${source} does not exist`, {
      hint: "check the --db path; a backup needs an existing database file",
    });
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
    db.pragma("schema_version"); // fails with SQLITE_NOTADB on a file that is not a database
    return db;
  } catch (error) {
    db?.close();
    throw backupError("sourceInvalid", `${source} is not a readable SQLite database: ${(error as Error).message}`, {
      hint: "point --db at a SQLite database file",
      cause: error,
    });
  }
}

/**
 * Backups of SQLite database files. The snapshot is consistent while other
 * connections keep writing: the backup API (the default) copies every page
 * in a single step, or `VACUUM INTO` writes a compacted copy in one
 * statement; either way one read transaction, so writers in WAL mode carry on
 * and the copy never restarts. The copy runs on a worker thread, goes to a
 * fresh file in rollback-journal mode, is counted, hashed and fsynced; the
 * live file is opened read-only and never touched.
 *
 * @example
 * const engine = new SqliteEngine();
 * const info = await engine.snapshot({ source: "app.db", file: "/backups/.tmp/snap.sqlite", newestColumn: "orders.created_at" });
 * info.rowCounts; // { orders: 1200, users: 40 }
 */
export class SqliteEngine implements BackupEngine {
  readonly name = "sqlite" as const;
  readonly dataFile = "data.sqlite";
  readonly method: SqliteBackupMethod;
  readonly #clock: Clock;

  constructor(options: SqliteEngineOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const method = options.method ?? "backup-api";
    requireOption(
      method === "backup-api" || method === "vacuum-into",
      "SqliteEngine",
      "method",
      method,
      "backup-api or vacuum-into",
    );
    this.method = method;
  }

  describe(source: string): string {
    return resolve(source);
  }

  async snapshot(options: {
    source: string;
    file: string;
    newestColumn?: string;
    onProgress?: OnProgress;
  }): Promise<SnapshotInfo> {
    const newest = options.newestColumn === undefined ? undefined : splitColumn(options.newestColumn);
    // Checked here, quickly, so bad input gets its own error; the copy itself runs on a worker thread.
    const source = openSource(options.source);
    const totalBytes =
      (source.pragma("page_count", { simple: true }) as number) *
      (source.pragma("page_size", { simple: true }) as number);
    source.close();
    let checksum: { sha256: string; size: number; checksum: ChecksumScheme } | undefined;
    const onBytes = (done: number) => options.onProgress?.({ phase: "checksum", done, total: totalBytes });
    // The backup API writes a fresh file's pages once, in page order (header last): hash blocks as they land,
    // on the second core, so little is left to hash once the copy is done. VACUUM INTO rewrites pages: after.
    const follow =
      this.method === "backup-api" && !existsSync(options.file)
        ? followBlockChecksum(options.file, { clock: this.#clock, onBytes })
        : undefined;
    let snapshot: Awaited<ReturnType<typeof snapshotInThread>>;
    try {
      snapshot = await snapshotInThread({
        source: options.source,
        file: options.file,
        method: this.method,
        totalBytes,
        clock: this.#clock,
        // Finish the hash (in blocks, on every core) and fsync at the same time, while the thread counts rows.
        onCopied: async () => {
          const [sum] = await Promise.all([
            follow ? follow.finish() : fileBlockChecksum(options.file, { onBytes }),
            syncPath(options.file),
          ]);
          checksum = sum;
        },
        ...(newest ? { newest } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } finally {
      await follow?.stop();
    }
    if (newest && snapshot.newestMissing) {
      throw backupError(
        "tableUnknown",
        `table '${newest.table}' (from the newest-data column) is not in ${options.source}`,
        {
          hint: "name an existing table.column holding timestamps",
        },
      );
    }
    const newestDataAt = toEpochMs(snapshot.newestValue);
    const info: SnapshotInfo = {
      engineVersion: snapshot.engineVersion,
      method: this.method,
      rowCounts: snapshot.rowCounts,
      ...(newestDataAt === undefined ? {} : { newestDataAt }),
      ...(checksum ? { sha256: checksum.sha256, sizeBytes: checksum.size, checksum: checksum.checksum } : {}),
    };
    return info;
  }

  async exists(location: string): Promise<boolean> {
    return existsSync(location) || existsSync(`${location}-wal`);
  }

  stagingDirFor(location: string): string {
    return dirname(resolve(location));
  }

  async restore(options: {
    file: string;
    location: string;
    force?: boolean;
    consume?: boolean;
    onProgress?: OnProgress;
  }): Promise<void> {
    const location = resolve(options.location);
    if (!options.force && (await this.exists(location))) {
      throw backupError(
        "restoreExists",
        `${location} already exists; a restore never overwrites live data by default`,
        {
          hint: "restore to a new file, or pass --force to replace it (stop its writers first)",
        },
      );
    }
    await mkdir(dirname(location), { recursive: true });
    const staging = `${location}.nines-restore-${randomBytes(4).toString("hex")}`;
    try {
      options.onProgress?.({ phase: "restore", message: `copying to ${location}` });
      // A private copy on the same filesystem is moved, not copied again.
      const moved = options.consume
        ? await rename(options.file, staging).then(
            () => true,
            () => false,
          )
        : false;
      if (!moved) await copyFile(options.file, staging, constants.COPYFILE_EXCL);
      await syncPath(staging);
      // A stale -wal beside the new file would be replayed onto it: remove the old database's journals first.
      await rm(`${location}-wal`, { force: true });
      await rm(`${location}-shm`, { force: true });
      await rm(`${location}-journal`, { force: true });
      await rename(staging, location);
      await syncPath(dirname(location));
    } catch (error) {
      await rm(staging, { force: true });
      throw backupError("targetFailed", `restoring to ${location} failed: ${(error as Error).message}`, {
        hint: "check that the destination folder is writable and has free space",
        cause: error,
      });
    }
  }

  async check(location: string): Promise<RestoredCheck> {
    let db: Database.Database | undefined;
    try {
      db = new Database(location, { readonly: true, fileMustExist: true });
      const rows = db.pragma("integrity_check") as { integrity_check: string }[];
      const problems = rows.map((r) => r.integrity_check).filter((r) => r !== "ok");
      return { problems: problems.map((p) => `integrity_check: ${p}`), rowCounts: countRows(db) };
    } catch (error) {
      return { problems: [`cannot read the restored database: ${(error as Error).message}`], rowCounts: {} };
    } finally {
      db?.close();
    }
  }

  async drop(location: string): Promise<void> {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) await rm(location + suffix, { force: true });
  }
}
