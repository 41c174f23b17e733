import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, isNinesError, systemClock } from "@nines/core";
import { fetchBackup, listBackups, noBackups } from "./catalog.js";
import type { BackupEngine } from "./engines/engine.js";
import { engineNamed, isPostgresUrl } from "./engines/engine-for.js";
import { BACKUP_ERRORS, backupError } from "./errors.js";
import { checkKey } from "./keys.js";
import type { BackupManifest } from "./manifest.js";
import type { OnProgress } from "./progress.js";
import type { BackupTarget } from "./targets/target.js";

export interface RestoreBackupOptions {
  /** Where the backups are. */
  from: BackupTarget;
  /** A new SQLite file or PostgreSQL database URL. */
  to: string;
  /** Restore exactly this backup (no fallback); the newest good one when omitted. */
  id?: string;
  /** Replace existing data at `to`. Off by default: a restore never overwrites live data unless asked. */
  force?: boolean;
  /** The engine to restore with; the one the manifest names by default. */
  engine?: BackupEngine;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** The outcome of {@link restoreBackup}. */
export interface RestoreBackupResult {
  manifest: BackupManifest;
  /** Newer backups that were refused (checksum, truncation, unreadable manifest) before this one was used. */
  skipped: { id: string; reason: string }[];
  /** Time to restore on the clock: download, checksum and restore. */
  durationMs: number;
}

/**
 * Restores a backup to a new place. Without `id`, it tries the newest
 * backup and, when that one is corrupt or truncated, falls back to the next
 * older one with a warning on `onProgress`, until one passes its checksum.
 * With `id` it restores that backup or fails. Existing data at `to` is never
 * replaced unless `force`; a failed restore leaves `to` as it was.
 *
 * @example
 * const { manifest, skipped } = await restoreBackup({ from: openTarget("./backups"), to: "./restored.db" });
 * for (const s of skipped) console.warn(`skipped ${s.id}: ${s.reason}`);
 */
export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreBackupResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const catalog = await listBackups(options.from);
  const skipped: { id: string; reason: string }[] = [];
  let candidates: BackupManifest[];
  if (options.id !== undefined) {
    checkKey(options.id); // "../x" is a path outside the folder, not merely an unknown id
    const found = catalog.backups.find((b) => b.id === options.id);
    const broken = catalog.unreadable.find((b) => b.id === options.id);
    if (broken) {
      throw backupError("corrupt", `backup ${broken.id} in ${options.from.location}: ${broken.reason}`, {
        hint: "restore an older backup (omit --id to take the newest good one)",
      });
    }
    if (!found) {
      throw backupError("notFound", `no backup with id '${options.id}' in ${options.from.location}`, {
        hint: "list the backups with 'nines data backups --from LOCATION'",
        details: { id: options.id },
      });
    }
    candidates = [found];
  } else {
    candidates = [...catalog.backups].reverse();
    const newestGood = candidates[0]?.id ?? "";
    for (const u of catalog.unreadable) {
      if (u.id > newestGood) {
        skipped.push(u);
        options.onProgress?.({ phase: "warning", message: `skipping backup ${u.id}: ${u.reason}` });
      }
    }
  }
  if (candidates.length === 0) throw noBackups(options.from);

  const first = candidates[0] as BackupManifest;
  const engine = options.engine ?? engineNamed(first.engine);
  const wantsPostgres = isPostgresUrl(options.to);
  if ((engine.name === "postgres") !== wantsPostgres) {
    throw backupError(
      "engineMismatch",
      `backup ${first.id} is a ${engine.name} backup and cannot be restored to ${wantsPostgres ? "a PostgreSQL URL" : "a file"}`,
      {
        hint: engine.name === "postgres" ? "restore to postgres://HOST/NEW_DATABASE" : "restore to a new .db file path",
      },
    );
  }
  // Refuse before downloading anything: nothing changes on a refused restore.
  if (!options.force && (await engine.exists(options.to))) {
    throw backupError(
      "restoreExists",
      `${options.to} already exists; a restore never overwrites live data by default`,
      {
        hint: "restore to a new place, or pass --force to replace it (stop its writers first)",
      },
    );
  }

  // Download next to a file destination so the checked copy is renamed into place, not copied twice.
  const near = engine.stagingDirFor?.(options.to);
  if (near) await mkdir(near, { recursive: true });
  const scratch = await mkdtemp(near ? join(near, ".nines-restore-") : join(tmpdir(), "nines-restore-"));
  try {
    for (const manifest of candidates) {
      const file = join(scratch, manifest.dataFile);
      try {
        await fetchBackup(options.from, manifest, file, options.onProgress);
      } catch (error) {
        if (!isNinesError(error, BACKUP_ERRORS.corrupt) || options.id !== undefined) throw error;
        skipped.push({ id: manifest.id, reason: error.message });
        options.onProgress?.({
          phase: "warning",
          message: `refusing backup ${manifest.id}: ${error.message}; falling back to the previous one`,
        });
        continue;
      }
      await engine.restore({
        file,
        location: options.to,
        consume: true,
        ...(options.force ? { force: true } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return { manifest, skipped, durationMs: clock.now() - started };
    }
    throw backupError("noGood", `every backup in ${options.from.location} failed its checks; nothing was restored`, {
      hint: "look at the reasons listed; a backup from another target may still be good",
      details: { skipped },
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
