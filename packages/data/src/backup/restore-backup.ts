import { rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { type Clock, isNinesError, type OnProgress, requireKnownOptions, systemClock } from "@nines/core";
import type { Dialect } from "../dialect/dialect.js";
import { dialectNamed } from "../dialect/dialect-for.js";
import { listBackups, noBackups } from "./catalog.js";
import { BACKUP_ERRORS, backupError } from "./errors.js";
import { fetchBackup } from "./fetch-backup.js";
import { type FolderRole, prepareFolder, unwritableFolder } from "./fs-errors.js";
import { sweepIncomplete } from "./incomplete.js";
import { checkKey } from "./keys.js";
import type { BackupManifest } from "./manifest.js";
import { noteProgress } from "./progress.js";
import { StagingArea } from "./staging/staging-area.js";
import { type StagingInfo, sweepStaging } from "./staging/sweep-staging.js";
import type { BackupTarget } from "./targets/target.js";

/**
 * Options of {@link restoreBackup}.
 *
 * @example
 * const options: RestoreBackupOptions = { from: openTarget("/backups"), to: "restored.db", id: "20261129T071500000Z-3fa2c1" };
 */
export interface RestoreBackupOptions {
  /** Where the backups are. */
  from: BackupTarget;
  /** A new SQLite file or PostgreSQL database URL. */
  to: string;
  /** Restore exactly this backup (no fallback); the newest good one when omitted. */
  id?: string;
  /** Replace existing data at `to`. Off by default: a restore never overwrites live data unless asked. */
  force?: boolean;
  /** The dialect to restore with; the one of the engine the manifest names by default. */
  dialect?: Dialect;
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
  /** What killed restores had left beside the destination, and killed backups at the source, removed before this one. */
  removed: StagingInfo[];
}

/** The candidates, newest first: the one asked for, or every readable backup (noting newer unreadable ones). */
function candidatesOf(
  catalog: Awaited<ReturnType<typeof listBackups>>,
  options: RestoreBackupOptions,
  skipped: { id: string; reason: string }[],
): BackupManifest[] {
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
    return [found];
  }
  const candidates = [...catalog.backups].reverse();
  const newestGood = candidates[0]?.id ?? "";
  for (const u of catalog.unreadable) {
    if (u.id > newestGood) {
      skipped.push(u);
      options.onProgress?.(noteProgress("warning", `skipping backup ${u.id}: ${u.reason}`));
    }
  }
  return candidates;
}

/**
 * A staging folder for the download: beside a file destination (so the
 * checked copy is renamed into place, and what a killed restore left there
 * is removed first), else in the temporary folder.
 */
async function openDownloadStaging(
  dialect: Dialect,
  to: string,
  clock: Clock,
): Promise<{ area: StagingArea; removed: StagingInfo[]; createdFolder?: string }> {
  const near = dialect.backup.stagingFolderFor(to);
  const role: FolderRole = "restore folder";
  const folder = near ?? tmpdir();
  const created = near ? await prepareFolder(near, role, { create: true }) : false;
  const removed = await sweepStaging(folder, clock.now());
  try {
    const area = await StagingArea.create(folder, { operation: "restore", clock });
    return { area, removed, ...(created ? { createdFolder: folder } : {}) };
  } catch (error) {
    if (created) await rmdir(folder).catch(() => undefined);
    throw unwritableFolder(folder, role, error);
  }
}

/**
 * Removes what killed backups left at the source (staging folders, unfinished
 * backups whose writer is gone). A source this process may only read is
 * still restored from: the leftovers stay, with a warning.
 */
async function sweepSource(from: BackupTarget, clock: Clock, onProgress?: OnProgress): Promise<StagingInfo[]> {
  try {
    return [...((await from.sweepStaging?.()) ?? []), ...(await sweepIncomplete(from, clock.now()))];
  } catch (error) {
    onProgress?.(
      noteProgress(
        "warning",
        `could not remove what killed backups left in ${from.location}: ${(error as Error).message}`,
      ),
    );
    return [];
  }
}

/**
 * Restores a backup to a new place. Without `id`, it tries the newest
 * backup and, when that one is corrupt or truncated, falls back to the next
 * older one with a warning on `onProgress`, until one passes its checksum.
 * With `id` it restores that backup or fails. Existing data at `to` is never
 * replaced unless `force`; a failed restore leaves `to` as it was, and a
 * killed one leaves a staging folder that the next restore there removes.
 * What killed backups left at `from` (staging folders, unfinished backups
 * whose writer is gone) is removed too.
 *
 * @example
 * const { manifest, skipped } = await restoreBackup({ from: openTarget("./backups"), to: "./restored.db" });
 * for (const s of skipped) console.warn(`skipped ${s.id}: ${s.reason}`);
 */
export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreBackupResult> {
  requireKnownOptions("restoreBackup", options, ["from", "to", "id", "force", "dialect", "clock", "onProgress"]);
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const catalog = await listBackups(options.from, { clock });
  const skipped: { id: string; reason: string }[] = [];
  const candidates = candidatesOf(catalog, options, skipped);
  const first = candidates[0];
  if (first === undefined) throw noBackups(options.from);

  const dialect = options.dialect ?? dialectNamed(first.engine);
  if (dialect.name !== first.engine || !dialect.accepts(options.to)) {
    throw backupError(
      "engineMismatch",
      `backup ${first.id} is a ${first.engine} backup and cannot be restored to ${dialect.redact(options.to)}`,
      { hint: `restore to ${dialectNamed(first.engine).newLocationHint}` },
    );
  }
  // Refuse before downloading anything: nothing changes on a refused restore.
  if (!options.force && (await dialect.backup.exists(options.to))) {
    throw backupError(
      "restoreExists",
      `${dialect.redact(options.to)} already exists; a restore never overwrites live data by default`,
      {
        hint: "restore to a new place, or pass --force to replace it (stop its writers first)",
      },
    );
  }

  const left = await sweepSource(options.from, clock, options.onProgress);
  const { area, removed: beside, createdFolder } = await openDownloadStaging(dialect, options.to, clock);
  const removed = [...left, ...beside];
  let restored = false;
  try {
    for (const manifest of candidates) {
      const file = area.path(manifest.dataFile);
      try {
        await fetchBackup(options.from, manifest, file, options.onProgress);
      } catch (error) {
        if (!isNinesError(error, BACKUP_ERRORS.corrupt) || options.id !== undefined) throw error;
        skipped.push({ id: manifest.id, reason: error.message });
        options.onProgress?.(
          noteProgress("warning", `refusing backup ${manifest.id}: ${error.message}; falling back to the previous one`),
        );
        continue;
      }
      await dialect.backup.restore({
        file,
        location: options.to,
        ...(options.force ? { force: true } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      restored = true;
      return { manifest, skipped, durationMs: clock.now() - started, removed };
    }
    throw backupError("noGood", `every backup in ${options.from.location} failed its checks; nothing was restored`, {
      hint: "look at the reasons listed; a backup from another target may still be good",
      details: { skipped },
    });
  } finally {
    await area.release();
    if (!restored && createdFolder) await rmdir(createdFolder).catch(() => undefined);
  }
}
