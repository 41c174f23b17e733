import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Clock, NinesError, systemClock } from "@nines/core";
import pg from "pg";
import { LocalPostgres } from "./local-postgres.js";

/**
 * Settings that make a server archive every finished WAL segment into
 * `archiveDir` (kept where the backups are: another region in production),
 * so a base backup plus the archive can be replayed to any moment.
 * `timeoutSeconds` bounds the RPO of the archive: a segment is closed and
 * archived at least that often even when it is not full.
 *
 * @example
 * const server = await LocalPostgres.init({ dir, settings: walArchiving("/backups/wal", 60) });
 */
export function walArchiving(archiveDir: string, timeoutSeconds = 60): Record<string, string> {
  return {
    wal_level: "replica",
    archive_mode: "on",
    // Never overwrite a segment already archived: a second copy with the same name means two histories.
    archive_command: `'test ! -f ${archiveDir}/%f && cp %p ${archiveDir}/%f'`,
    archive_timeout: String(timeoutSeconds),
  };
}

/** Where to stop replaying: a named restore point, a time, or an LSN. */
export type RecoveryTarget = { name: string } | { time: string } | { lsn: string };

export interface PointInTimeRestoreOptions {
  /** A base backup taken with {@link takeBaseBackup} (a plain-format data directory copy). */
  baseBackupDir: string;
  /** The WAL archive the source server wrote to. */
  walArchiveDir: string;
  /** A new data directory for the restored server; never an existing one. */
  targetDir: string;
  target: RecoveryTarget;
  /** `true` (default) stops just after the target, `false` just before it. */
  inclusive?: boolean;
  clock?: Clock;
}

export interface PointInTimeRestoreResult {
  server: LocalPostgres;
  /** Milliseconds from the start of the restore until the server took writes. */
  restoreMs: number;
}

/**
 * Takes a plain-format base backup of `server` into `dir` with pg_basebackup.
 *
 * @example
 * await takeBaseBackup(primary, "/backups/base-2026-11-29");
 */
export async function takeBaseBackup(server: LocalPostgres, dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new NinesError("NINES_DATA_BACKUP_EXISTS", `base backup folder ${dir} is not empty`, {
      hint: "give each base backup a new folder",
    });
  }
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o700);
  await server.chownForServer(dir);
  await server.exec("pg_basebackup", [
    "-D",
    dir,
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-U",
    "postgres",
    "-X",
    "stream",
    "--no-sync",
  ]);
}

/**
 * Point-in-time recovery: copies the base backup into `targetDir`, replays
 * the archived WAL up to `target` and promotes the result to a new primary
 * on its own port. The source server is never touched: the restore goes to
 * a new place, and the caller decides what to do with it.
 *
 * @example
 * const { server } = await restoreToPointInTime({ baseBackupDir, walArchiveDir, targetDir, target: { name: "before-migration" } });
 */
export async function restoreToPointInTime(options: PointInTimeRestoreOptions): Promise<PointInTimeRestoreResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  if (!existsSync(join(options.baseBackupDir, "PG_VERSION"))) {
    throw new NinesError("NINES_DATA_BACKUP_INVALID", `${options.baseBackupDir} is not a base backup (no PG_VERSION)`, {
      hint: "pass a folder written by takeBaseBackup or pg_basebackup -Fp",
    });
  }
  if (existsSync(options.targetDir)) {
    throw new NinesError("NINES_DATA_RESTORE_TARGET_EXISTS", `restore target ${options.targetDir} already exists`, {
      hint: "restore into a new folder; nines never restores over existing data",
    });
  }
  cpSync(options.baseBackupDir, options.targetDir, { recursive: true });
  chmodSync(options.targetDir, 0o700);
  const target: Record<string, string> =
    "name" in options.target
      ? { recovery_target_name: `'${options.target.name}'` }
      : "time" in options.target
        ? { recovery_target_time: `'${options.target.time}'` }
        : { recovery_target_lsn: `'${options.target.lsn}'` };
  writeFileSync(join(options.targetDir, "recovery.signal"), "");
  const server = await LocalPostgres.fromDirectory({
    dir: options.targetDir,
    clock,
    settings: {
      restore_command: `'cp ${options.walArchiveDir}/%f %p'`,
      ...target,
      recovery_target_inclusive: options.inclusive === false ? "off" : "on",
      recovery_target_action: "'promote'",
      // The restored copy must not write into the source's archive.
      archive_mode: "off",
    },
  });
  await server.start(120_000);
  await waitUntilPrimary(server, clock);
  return { server, restoreMs: clock.now() - started };
}

async function waitUntilPrimary(server: LocalPostgres, clock: Clock): Promise<void> {
  const deadline = clock.now() + 120_000;
  for (;;) {
    const client = new pg.Client({ connectionString: server.url(), connectionTimeoutMillis: 2000 });
    client.on("error", () => {});
    try {
      await client.connect();
      const result = await client.query("select pg_is_in_recovery() as recovering");
      if (result.rows[0]?.recovering === false) return;
    } catch {
      // still starting
    } finally {
      await client.end().catch(() => {});
    }
    if (clock.now() > deadline) {
      throw new NinesError("NINES_DATA_RESTORE_TIMEOUT", "the restored server did not finish recovery within 120 s", {
        hint: "check that the WAL archive holds every segment from the base backup to the target",
      });
    }
    await clock.sleep(100);
  }
}
