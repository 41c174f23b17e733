import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Clock, type OnProgress, requireKnownOptions, systemClock } from "@nines/core";
import { backupError } from "../backup/errors.js";
import { fsReason } from "../backup/fs-errors.js";
import { bytesProgress, noteProgress } from "../backup/progress.js";
import { connectOrThrow } from "../dialect/postgres/postgres-backup-engine.js";
import { PostgresDialect } from "../dialect/postgres/postgres-dialect.js";
import { runPostgresTool } from "../dialect/postgres/run-postgres-tool.js";
import { findPostgresBin } from "./binaries.js";

/**
 * Options of {@link takeBaseBackup}.
 *
 * @example
 * await takeBaseBackup({ source: "postgres://backup@db-1/postgres", dir: "/backups/base-2026-11-29" });
 */
export interface TakeBaseBackupOptions {
  /**
   * The server to copy, as a connection URL (`postgres://USER@HOST:PORT/DB`;
   * the database does not matter). pg_basebackup copies the whole cluster
   * over the replication protocol, so the user needs the `REPLICATION`
   * attribute (or to be a superuser) and pg_hba.conf a `replication` line
   * for this host.
   */
  source: string;
  /** A new or empty folder for the copy (plain format: a data directory). */
  dir: string;
  /** Directory of pg_basebackup; `NINES_PG_BIN`, the newest /usr/lib/postgresql/N/bin, else PATH by default. */
  binDir?: string;
  /**
   * Refuse a server that does not archive its WAL (default true): without
   * the archive, the base backup can only be restored as it was, never
   * replayed to a later moment.
   */
  requireArchiving?: boolean;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** What {@link takeBaseBackup} copied. */
export interface BaseBackupResult {
  dir: string;
  /** The server's `server_version`. */
  serverVersion: string;
  /** Where replay starts (`START WAL LOCATION` in backup_label). */
  startLsn: string;
  /** The server's archive settings when the copy was taken. */
  archiving: { mode: string; command: string };
  durationMs: number;
}

const KNOWN = ["source", "dir", "binDir", "requireArchiving", "clock", "onProgress"];

function pgBasebackup(binDir: string | undefined): string {
  if (binDir !== undefined) return join(binDir, "pg_basebackup");
  try {
    return join(findPostgresBin(), "pg_basebackup");
  } catch {
    return "pg_basebackup";
  }
}

async function readServer(source: string): Promise<{
  version: string;
  walLevel: string;
  archiving: { mode: string; command: string };
}> {
  const client = await connectOrThrow(source, "sourceMissing");
  try {
    const row = (
      await client.query<Record<string, string>>(
        `SELECT current_setting('server_version') AS version, current_setting('wal_level') AS wal_level,
                current_setting('archive_mode') AS mode, current_setting('archive_command') AS command,
                coalesce(current_setting('archive_library', true), '') AS library`,
      )
    ).rows[0] as Record<string, string>;
    const command = row["command"] && row["command"] !== "(disabled)" ? row["command"] : (row["library"] ?? "");
    return {
      version: row["version"] ?? "",
      walLevel: row["wal_level"] ?? "",
      archiving: { mode: row["mode"] ?? "off", command },
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Takes a plain-format base backup of a running PostgreSQL server with
 * `pg_basebackup` (over the replication protocol, WAL streamed alongside,
 * a fast checkpoint first): the starting point of point-in-time recovery.
 * The server must archive its WAL (see `walArchiving`), checked before
 * anything is copied; the folder must be new or empty. A failed copy
 * leaves no partial folder behind.
 *
 * @example
 * const base = await takeBaseBackup({ source: "postgres://backup@db-1:5432/postgres", dir: "/backups/base-2026-11-29" });
 * base.startLsn; // "0/2000028"
 */
export async function takeBaseBackup(options: TakeBaseBackupOptions): Promise<BaseBackupResult> {
  requireKnownOptions("takeBaseBackup", options, KNOWN);
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const dir = resolve(options.dir);
  const dialect = new PostgresDialect();
  if (!dialect.accepts(options.source)) {
    throw backupError("sourceInvalid", `'${options.source}' is not a PostgreSQL URL`, {
      hint: "give the server as postgres://USER@HOST:PORT/postgres",
    });
  }
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw backupError("destinationInvalid", `cannot use ${dir} for a base backup: ${fsReason(error)}`, {
      hint: "give a new folder, or an empty one",
      cause: error,
    });
  });
  if (existing !== undefined && existing.length > 0) {
    throw backupError("destinationInvalid", `the base backup folder ${dir} is not empty`, {
      hint: "give each base backup a new folder",
    });
  }
  const server = await readServer(options.source);
  const archived = server.archiving.mode !== "off" && server.archiving.command !== "" && server.walLevel !== "minimal";
  if (options.requireArchiving !== false && !archived) {
    throw backupError(
      "walNotArchived",
      `${dialect.redact(options.source)} does not archive its WAL (archive_mode = ${server.archiving.mode}, wal_level = ${server.walLevel}): a base backup alone cannot be replayed to a later moment`,
      {
        hint: "set wal_level = replica, archive_mode = on and an archive_command ('nines data pitr settings --wal DIR' prints them), restart the server, then take the base backup",
      },
    );
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw backupError("destinationInvalid", `cannot create the base backup folder ${dir}: ${fsReason(error)}`, {
      hint: "choose a folder this user may write to",
      cause: error,
    });
  }
  options.onProgress?.(noteProgress("copy", `pg_basebackup of ${dialect.redact(options.source)} into ${dir}`));
  try {
    await runPostgresTool(
      pgBasebackup(options.binDir),
      ["-D", dir, "-d", options.source, "-X", "stream", "-c", "fast", "--no-password", "--progress"],
      (line) => {
        // "12345/67890 kB (18%), 0/1 tablespace"
        const match = /^(\d+)\/(\d+) kB/.exec(line);
        if (match) options.onProgress?.(bytesProgress("copy", Number(match[1]) * 1024, Number(match[2]) * 1024));
      },
    );
  } catch (error) {
    // Leave the folder as it was: gone if this created it, else empty.
    if (existing === undefined) await rm(dir, { recursive: true, force: true });
    else for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
    throw error;
  }
  const label = existsSync(join(dir, "backup_label")) ? await readFile(join(dir, "backup_label"), "utf8") : "";
  const startLsn = /START WAL LOCATION: (\S+)/.exec(label)?.[1] ?? "";
  return {
    dir,
    serverVersion: server.version,
    startLsn,
    archiving: server.archiving,
    durationMs: clock.now() - started,
  };
}
