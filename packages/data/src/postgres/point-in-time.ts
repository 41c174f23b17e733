import { existsSync } from "node:fs";
import { cp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Clock, type OnProgress, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import pg from "pg";
import { backupError } from "../backup/errors.js";
import { fsReason } from "../backup/fs-errors.js";
import { noteProgress } from "../backup/progress.js";
import { LocalPostgres } from "./local-postgres.js";
import { confString, restoreCommand } from "./wal-archiving.js";

/** Where to stop replaying: a named restore point, a time (with its zone), or an LSN. */
export type RecoveryTarget = { name: string } | { time: string } | { lsn: string };

/**
 * Options of {@link restoreToPointInTime}.
 *
 * @example
 * const options: PointInTimeRestoreOptions = { baseBackupDir, walArchiveDir, targetDir, target: { time: "2026-11-29 07:30:00+00" } };
 */
export interface PointInTimeRestoreOptions {
  /** A base backup taken with `takeBaseBackup` or `pg_basebackup -Fp` (a data directory copy with backup_label). */
  baseBackupDir: string;
  /** The WAL archive the source server writes to (its `archive_command`'s folder). */
  walArchiveDir: string;
  /** A new data directory for the restored server; never an existing one. */
  targetDir: string;
  target: RecoveryTarget;
  /** `true` (default) stops just after the target, `false` just before it. */
  inclusive?: boolean;
  /**
   * `true` (default): return the recovered server, running on its own port
   * on 127.0.0.1 (stop it with `server.stop()`). `false`: stop it cleanly
   * once recovered and put back the base backup's own configuration files,
   * leaving a data directory to start with the server's usual tools
   * (`pg_ctl -D DIR start`).
   */
  keepRunning?: boolean;
  /** Port for the recovering server; a free one by default. */
  port?: number;
  /** Directory of the server programs; found like `findPostgresBin` by default. */
  binDir?: string;
  /** How long recovery may take. Default 10 minutes. */
  timeoutMs?: number;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** What {@link restoreToPointInTime} did. */
export interface PointInTimeRestoreResult {
  /** The recovered server, when `keepRunning` (the default). */
  server?: LocalPostgres;
  /** The restored data directory. */
  dataDir: string;
  /** Milliseconds from the start of the restore until the server took writes. */
  restoreMs: number;
}

const KNOWN = [
  "baseBackupDir",
  "walArchiveDir",
  "targetDir",
  "target",
  "inclusive",
  "keepRunning",
  "port",
  "binDir",
  "timeoutMs",
  "clock",
  "onProgress",
];

/** The configuration files the harness rewrites; saved before and put back after when not kept running. */
const CONFIG_FILES = ["postgresql.conf", "postgresql.auto.conf", "pg_hba.conf"];

function targetSettings(target: RecoveryTarget): Record<string, string> {
  if ("name" in target) {
    requireOption(target.name !== "", "restoreToPointInTime", "target.name", target.name, "a restore point's name");
    return { recovery_target_name: confString(target.name) };
  }
  if ("time" in target) {
    requireOption(
      !Number.isNaN(Date.parse(target.time)),
      "restoreToPointInTime",
      "target.time",
      target.time,
      "a time with its zone, like 2026-11-29 07:30:00+00",
    );
    return { recovery_target_time: confString(target.time) };
  }
  requireOption(
    /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i.test(target.lsn),
    "restoreToPointInTime",
    "target.lsn",
    target.lsn,
    "an LSN like 0/3000060",
  );
  return { recovery_target_lsn: confString(target.lsn) };
}

async function checkSources(baseDir: string, archiveDir: string, targetDir: string): Promise<void> {
  if (!existsSync(join(baseDir, "PG_VERSION")) || !existsSync(join(baseDir, "backup_label"))) {
    throw backupError("baseInvalid", `${baseDir} is not a base backup (no PG_VERSION or backup_label)`, {
      hint: "pass a folder written by takeBaseBackup ('nines data pitr base') or pg_basebackup -Fp",
    });
  }
  const archive = await stat(archiveDir).catch(() => undefined);
  if (!archive?.isDirectory()) {
    throw backupError("sourceMissing", `the WAL archive ${archiveDir} is not a folder`, {
      hint: "pass the folder the source server's archive_command copies segments into",
    });
  }
  if (existsSync(targetDir)) {
    throw backupError("restoreExists", `restore target ${targetDir} already exists`, {
      hint: "restore into a new folder; nines never restores over existing data",
    });
  }
}

async function saveConfig(dir: string): Promise<Map<string, string | undefined>> {
  const saved = new Map<string, string | undefined>();
  for (const name of CONFIG_FILES) {
    saved.set(name, existsSync(join(dir, name)) ? await readFile(join(dir, name), "utf8") : undefined);
  }
  return saved;
}

async function putBackConfig(dir: string, saved: Map<string, string | undefined>): Promise<void> {
  for (const [name, content] of saved) {
    if (content === undefined) await rm(join(dir, name), { force: true });
    else await writeFile(join(dir, name), content);
  }
}

/**
 * Point-in-time recovery: copies a base backup into `targetDir`, replays
 * the archived WAL up to `target` and promotes the result to a new primary
 * on its own port. The source server is never touched: the restore goes to
 * a new place, and the caller decides what to do with it. Replay ending
 * before the target (a segment missing from the archive) is an error with
 * the server's own message.
 *
 * @example
 * const { server } = await restoreToPointInTime({
 *   baseBackupDir: "/backups/base-2026-11-29", walArchiveDir: "/backups/wal",
 *   targetDir: "/srv/pg/restored", target: { name: "before-migration" },
 * });
 */
export async function restoreToPointInTime(options: PointInTimeRestoreOptions): Promise<PointInTimeRestoreResult> {
  requireKnownOptions("restoreToPointInTime", options, KNOWN);
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const baseDir = resolve(options.baseBackupDir);
  const archiveDir = resolve(options.walArchiveDir);
  const dataDir = resolve(options.targetDir);
  const target = targetSettings(options.target);
  await checkSources(baseDir, archiveDir, dataDir);
  options.onProgress?.(noteProgress("copy", `base backup ${baseDir} into ${dataDir}`));
  let server: LocalPostgres | undefined;
  let done = false;
  try {
    try {
      await cp(baseDir, dataDir, { recursive: true });
    } catch (error) {
      throw backupError("destinationInvalid", `cannot copy the base backup into ${dataDir}: ${fsReason(error)}`, {
        hint: "choose a folder this user may write to, with room for the whole cluster",
        cause: error,
      });
    }
    const saved = await saveConfig(dataDir);
    // A Debian-style base backup keeps its configuration in /etc: start from the defaults.
    if (saved.get("postgresql.conf") === undefined) await writeFile(join(dataDir, "postgresql.conf"), "");
    for (const signal of ["standby.signal", "postmaster.pid"]) await rm(join(dataDir, signal), { force: true });
    await writeFile(join(dataDir, "recovery.signal"), "");
    server = await LocalPostgres.fromDirectory({
      dir: dataDir,
      clock,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.binDir === undefined ? {} : { binDir: options.binDir }),
      settings: {
        restore_command: restoreCommand(archiveDir),
        ...target,
        recovery_target_inclusive: options.inclusive === false ? "off" : "on",
        recovery_target_action: "'promote'",
        // The restored copy must not write into the source's archive.
        archive_mode: "off",
      },
    });
    options.onProgress?.(noteProgress("replay", `replaying WAL from ${archiveDir}`));
    const timeoutMs = options.timeoutMs ?? 600_000;
    const running = server;
    await server.start(timeoutMs).catch((error: unknown) => {
      throw running.running ? error : recoveryStopped(running);
    });
    await waitUntilPrimary(server, { clock, timeoutMs });
    const restoreMs = clock.now() - started;
    if (options.keepRunning !== false) {
      done = true;
      return { server, dataDir, restoreMs };
    }
    await server.stop();
    await putBackConfig(dataDir, saved);
    await server.chownForServer(dataDir);
    done = true;
    return { dataDir, restoreMs };
  } finally {
    if (!done) {
      await server?.crash();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}

/** The error for a server that exited while recovering, with its last FATAL line. */
function recoveryStopped(server: LocalPostgres) {
  const fatal = server.log
    .split("\n")
    .filter((l) => /FATAL|PANIC/.test(l))
    .at(-1);
  return backupError("recoveryFailed", `the restored server stopped during recovery: ${fatal ?? "see its log"}`, {
    hint: "check that the WAL archive holds every segment from the base backup to the target, and that the target is after the base backup",
    details: { log: server.log },
  });
}

async function waitUntilPrimary(
  server: LocalPostgres,
  { clock, timeoutMs }: { clock: Clock; timeoutMs: number },
): Promise<void> {
  const deadlineAt = clock.now() + timeoutMs;
  for (;;) {
    if (!server.running) throw recoveryStopped(server);
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
    if (clock.now() > deadlineAt) {
      throw backupError("recoveryFailed", `the restored server did not finish recovery within ${timeoutMs} ms`, {
        hint: "check that the WAL archive holds every segment from the base backup to the target",
      });
    }
    await clock.sleep(100);
  }
}
