import { requireOption } from "@nines/core";
import type { ChecksumScheme } from "../block-checksum.js";
import type { BackupEngineName } from "../manifest.js";
import type { OnProgress } from "../progress.js";

/** What a snapshot learned about the data it copied. */
export interface SnapshotInfo {
  engineVersion: string;
  method: string;
  rowCounts: Record<string, number>;
  /** Epoch ms of the newest value in the `newestColumn`, when asked for and the table has rows. */
  newestDataAt?: number;
  /** SHA-256 and size of the file, when the engine computed them on the way (else the caller does). */
  sha256?: string;
  sizeBytes?: number;
  /** How `sha256` was computed, when not over the whole file. */
  checksum?: ChecksumScheme;
}

/** What checking a restored copy found. */
export interface RestoredCheck {
  /** Empty when the copy is sound. */
  problems: string[];
  rowCounts: Record<string, number>;
}

/**
 * One database engine's part in backups: take a consistent snapshot into a
 * local file, restore such a file to a new place, and check a restored copy.
 * Locations are file paths for SQLite and database URLs for PostgreSQL.
 *
 * @example
 * const engine: BackupEngine = new SqliteEngine();
 * const info = await engine.snapshot({ source: "app.db", file: "/tmp/snap.sqlite" });
 */
export interface BackupEngine {
  readonly name: BackupEngineName;
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
  /** Restores `file` to `location`; replaces existing data only with `force`. Leaves nothing half-done on failure. */
  restore(options: {
    file: string;
    location: string;
    force?: boolean;
    /** The file is a private copy that may be moved into place instead of copied. */
    consume?: boolean;
    onProgress?: OnProgress;
  }): Promise<void>;
  /** A directory for the downloaded copy: next to a file destination (so it can be renamed into place), else undefined. */
  stagingDirFor?(location: string): string;
  /** Integrity check and row counts of a restored copy. */
  check(location: string): Promise<RestoredCheck>;
  /** Removes a scratch copy made by a verification. */
  drop(location: string): Promise<void>;
  /** `source` without secrets, for the manifest. */
  describe(source: string): string;
}

/** Reads a `newestColumn` value into epoch ms: numbers are epoch ms, strings and dates are parsed. */
export function toEpochMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number" || typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Splits `table.column`, refusing anything that is not two plain identifiers. */
export function splitColumn(newestColumn: string): { table: string; column: string } {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(newestColumn);
  requireOption(match !== null, "backup", "newestColumn", newestColumn, "written table.column");
  if (!match) throw new Error("unreachable");
  return { table: match[1] as string, column: match[2] as string };
}

/** Double-quotes an SQL identifier (both engines use the same rule). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
