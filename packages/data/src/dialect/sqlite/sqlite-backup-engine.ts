import { existsSync } from "node:fs";
import { copyFile, rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Clock, OnProgress } from "@nines/core";
import Database from "better-sqlite3";
import type { BackupEngine, RestoredCheck, SnapshotInfo } from "../../backup/backup-engine.js";
import { type BackupChecksum, fileBlockChecksum } from "../../backup/block-checksum.js";
import { backupError } from "../../backup/errors.js";
import { followBlockChecksum } from "../../backup/follow-block-checksum.js";
import { fsReason } from "../../backup/fs-errors.js";
import { splitColumn, toEpochMs } from "../../backup/newest-column.js";
import { bytesProgress, noteProgress } from "../../backup/progress.js";
import { StagingArea } from "../../backup/staging/staging-area.js";
import { syncPath } from "../../backup/sync-path.js";
import { checkRestored } from "./check-restored.js";
import type { WalPosition } from "./sqlite-file-copy.js";
import { type SnapshotMethod, snapshotInThread, type ThreadSnapshot } from "./sqlite-snapshot-thread.js";

/**
 * How the snapshot is taken: `file-copy` (default: the database file and its
 * log copied inside the kernel under a read transaction; SQLite's backup
 * API when the files cannot be copied), SQLite's online `backup-api` (page
 * by page), or `vacuum-into` (rebuilds, compacts).
 */
export type SqliteBackupMethod = SnapshotMethod;

/**
 * What a SQLite snapshot learned: {@link SnapshotInfo}, and for a
 * `file-copy` of a database in WAL mode (when the copier could tell
 * exactly) the copy's place in the log, so that log frames after it can be
 * applied to it.
 *
 * @example
 * const { wal } = await new SqliteBackupEngine({ method: "file-copy", clock }).snapshot({ source, file });
 * wal; // { salt: "5435994d6d573b0d", frame: 1000 }: frames 1001... of that log cycle are newer
 */
export interface SqliteSnapshotInfo extends SnapshotInfo {
  wal?: WalPosition;
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
 * Backups of SQLite database files (the SQLite dialect's `backup`). The
 * snapshot is consistent while other connections keep writing: it is taken
 * under one read transaction, so writers in WAL mode carry on and the copy
 * never restarts. `file-copy` (the default) copies the database file and
 * its log inside the kernel while the transaction holds, and SQLite's
 * recovery of the copied log makes the copy the database as of one commit
 * (`startFileCopier` says why); `backup-api` copies every page in a single
 * step; `vacuum-into` writes a compacted copy in one statement. The copy
 * runs on a worker thread (and, for `file-copy`, a child process), goes to
 * a fresh file in rollback-journal mode, and is counted, hashed (in
 * `sha256-blocks`, on every core) and fsynced; the live files are only
 * read (through SQLite, and by the `file-copy` child), never written.
 *
 * @example
 * const engine = new SqliteBackupEngine({ method: "file-copy", clock: systemClock });
 * const info = await engine.snapshot({ source: "app.db", file: "/backups/.nines-staging-x/data.sqlite" });
 * info.rowCounts; // { orders: 1200, users: 40 }
 * info.checksum; // { scheme: "sha256-blocks", blockBytes: 4194304, value: "9f2c..." }
 */
export class SqliteBackupEngine implements BackupEngine {
  readonly dataFile = "data.sqlite";
  readonly method: SqliteBackupMethod;
  readonly #clock: Clock;

  constructor(options: { method: SqliteBackupMethod; clock: Clock }) {
    this.method = options.method;
    this.#clock = options.clock;
  }

  /** Takes a snapshot of `source` into `file` (a fresh path): copied, switched to rollback-journal mode, counted, hashed, fsynced. */
  async snapshot(options: {
    source: string;
    file: string;
    newestColumn?: string;
    onProgress?: OnProgress;
  }): Promise<SqliteSnapshotInfo> {
    const newest = options.newestColumn === undefined ? undefined : splitColumn(options.newestColumn);
    // Checked here, quickly, so bad input gets its own error; the copy itself runs on a worker thread.
    const source = openSource(options.source);
    const totalBytes =
      (source.pragma("page_count", { simple: true }) as number) *
      (source.pragma("page_size", { simple: true }) as number);
    source.close();
    const { snapshot, sum } = await this.#take(options, totalBytes, newest);
    if (snapshot.fallback !== undefined) {
      options.onProgress?.(noteProgress("snapshot", `copied with SQLite's backup API: ${snapshot.fallback}`));
    }
    if (newest && snapshot.newestMissing) {
      throw backupError(
        "tableUnknown",
        `table '${newest.table}' (from the newest-data column) is not in ${options.source}`,
        { hint: "name an existing table.column holding timestamps" },
      );
    }
    const newestDataAt = toEpochMs(snapshot.newestValue);
    return {
      engineVersion: snapshot.engineVersion,
      method: snapshot.method,
      rowCounts: snapshot.rowCounts,
      ...(newestDataAt === undefined ? {} : { newestDataAt }),
      ...(sum ? { checksum: sum.checksum, sizeBytes: sum.size } : {}),
      ...(snapshot.wal ? { wal: snapshot.wal } : {}),
    };
  }

  async #take(
    options: { source: string; file: string; onProgress?: OnProgress },
    totalBytes: number,
    newest: { table: string; column: string } | undefined,
  ): Promise<{ snapshot: ThreadSnapshot; sum: { size: number; checksum: BackupChecksum } | undefined }> {
    let sum: { size: number; checksum: BackupChecksum } | undefined;
    const onBytes = (done: number) => options.onProgress?.(bytesProgress("checksum", done, totalBytes));
    // The backup API writes a fresh file's pages once, in page order (header last): hash blocks as they land,
    // on the second core, so little is left to hash once the copy is done. The other methods: after the copy.
    const follow =
      this.method === "backup-api" && !existsSync(options.file)
        ? followBlockChecksum(options.file, { clock: this.#clock, onBytes })
        : undefined;
    try {
      const snapshot = await snapshotInThread({
        source: options.source,
        file: options.file,
        method: this.method,
        totalBytes,
        clock: this.#clock,
        // Hash (in blocks, on every core) and fsync at the same time, while the thread counts rows.
        onCopied: async () => {
          const [done] = await Promise.all([
            follow ? follow.finish() : fileBlockChecksum(options.file, { onBytes }),
            syncPath(options.file),
          ]);
          sum = done;
        },
        ...(newest ? { newest } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return { snapshot, sum };
    } finally {
      await follow?.stop();
    }
  }

  async exists(location: string): Promise<boolean> {
    return existsSync(location) || existsSync(`${location}-wal`);
  }

  stagingFolderFor(location: string): string {
    return dirname(resolve(location));
  }

  async restore(options: { file: string; location: string; force?: boolean; onProgress?: OnProgress }): Promise<void> {
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
    options.onProgress?.(noteProgress("restore", `moving the checked copy to ${location}`));
    let area: StagingArea | undefined;
    try {
      await syncPath(options.file);
      // A stale -wal beside the new file would be replayed onto it: remove the old database's journals first.
      for (const suffix of ["-wal", "-shm", "-journal"]) await rm(`${location}${suffix}`, { force: true });
      const moved = await rename(options.file, location).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code !== "EXDEV") throw error;
          return false;
        },
      );
      if (!moved) {
        // Another filesystem: copy beside the destination first, so the last step is still a rename.
        area = await StagingArea.create(dirname(location), { operation: "restore", clock: this.#clock });
        const copy = area.path(this.dataFile);
        await copyFile(options.file, copy);
        await syncPath(copy);
        await rename(copy, location);
      }
      await syncPath(dirname(location));
    } catch (error) {
      throw backupError("destinationInvalid", `restoring to ${location} failed: ${fsReason(error)}`, {
        hint: "check that the destination folder is writable and has free space",
        cause: error,
      });
    } finally {
      await area?.release();
    }
  }

  async check(location: string): Promise<RestoredCheck> {
    return checkRestored(location, "integrity");
  }

  async drop(location: string): Promise<void> {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) await rm(location + suffix, { force: true });
  }
}
