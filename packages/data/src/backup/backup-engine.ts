import type { OnProgress } from "@nines/core";
import type { BackupChecksum } from "./block-checksum.js";

/** What a snapshot learned about the data it copied. */
export interface SnapshotInfo {
  engineVersion: string;
  method: string;
  rowCounts: Record<string, number>;
  /** Epoch ms of the newest value in the `newestColumn`, when asked for and the table has rows. */
  newestDataAt?: number;
  /** The file's checksum and size, when the engine computed them on the way (else the caller does). */
  checksum?: BackupChecksum;
  sizeBytes?: number;
}

/** What checking a restored copy found. */
export interface RestoredCheck {
  /** Empty when the copy is sound. */
  problems: string[];
  rowCounts: Record<string, number>;
}

/**
 * One engine's part in backups, reached through its `Dialect`
 * (`dialect.backup`): take a consistent snapshot into a local file, restore
 * such a file to a new place, and check a restored copy. Locations are file
 * paths for SQLite and database URLs for PostgreSQL.
 *
 * @example
 * const engine = dialectFor("app.db").backup;
 * const info = await engine.snapshot({ source: "app.db", file: "/backups/.nines-staging-x/data.sqlite" });
 */
export interface BackupEngine {
  /** The data object's file name inside a backup. */
  readonly dataFile: string;
  /** Writes a consistent snapshot of `source` to `file` (a fresh path) and fsyncs it. */
  snapshot(options: {
    source: string;
    file: string;
    /** `table.column` holding timestamps (epoch ms, or ISO text / timestamptz). */
    newestColumn?: string;
    onProgress?: OnProgress;
  }): Promise<SnapshotInfo>;
  /** True when `location` already holds data (a file, or an existing database). */
  exists(location: string): Promise<boolean>;
  /**
   * Restores `file` (a private, checked copy that may be moved) to
   * `location`; replaces existing data only with `force`. Leaves nothing
   * half-done on failure.
   */
  restore(options: { file: string; location: string; force?: boolean; onProgress?: OnProgress }): Promise<void>;
  /** The folder to download into so the restore is a rename (a file destination's folder), else undefined. */
  stagingFolderFor(location: string): string | undefined;
  /** Integrity check and row counts of a restored copy. */
  check(location: string): Promise<RestoredCheck>;
  /** Removes a scratch copy made by a verification. */
  drop(location: string): Promise<void>;
}
