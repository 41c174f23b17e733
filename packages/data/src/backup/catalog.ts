import { type Clock, systemClock } from "@nines/core";
import { backupError } from "./errors.js";
import { backupFolders, describeIncomplete, type IncompleteBackup } from "./incomplete.js";
import { type BackupManifest, manifestKey, parseManifest } from "./manifest.js";
import type { StagingInfo } from "./staging/sweep-staging.js";
import type { BackupTarget } from "./targets/target.js";

/**
 * What is at a backup location.
 *
 * @example
 * const { backups, staging } = await listBackups(openTarget("/backups"));
 */
export interface BackupCatalog {
  /** Complete backups with a readable manifest, oldest first. */
  backups: BackupManifest[];
  /** Backups whose manifest cannot be read: never restored, reported. */
  unreadable: { id: string; reason: string }[];
  /**
   * Backups with objects but no manifest: one still being stored (S3), or
   * one whose writer is gone, with their size and whether their writer
   * still runs; never restored.
   */
  incomplete: IncompleteBackup[];
  /**
   * Temporary files of operations on the target (local folders): `live`
   * ones belong to a backup still running, `abandoned` ones to a killed one
   * and are removed by the next backup, restore, verification or retention.
   */
  staging: StagingInfo[];
}

/**
 * Lists the backups at a target by reading every manifest. A local folder
 * that does not exist is an error (`NINES_BACKUP_LOCATION_MISSING`), not an
 * empty list. `clock` dates what is found (whether an unfinished backup's
 * writer is gone); the system clock by default.
 *
 * @example
 * const { backups } = await listBackups(openTarget("./backups"));
 * backups.at(-1)?.id; // the newest
 */
export async function listBackups(target: BackupTarget, options: { clock?: Clock } = {}): Promise<BackupCatalog> {
  const now = (options.clock ?? systemClock).now();
  const ids = backupFolders(await target.list());
  const catalog: BackupCatalog = {
    backups: [],
    unreadable: [],
    incomplete: [],
    staging: (await target.listStaging?.()) ?? [],
  };
  for (const [id, files] of [...ids].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!files.includes("manifest.json")) {
      catalog.incomplete.push(await describeIncomplete(target, id, files, now));
      continue;
    }
    try {
      const manifest = parseManifest(await target.read(manifestKey(id)), `manifest of backup ${id}`);
      if (manifest.id !== id) throw backupError("corrupt", `manifest of backup ${id} names backup ${manifest.id}`);
      catalog.backups.push(manifest);
    } catch (error) {
      catalog.unreadable.push({ id, reason: (error as Error).message });
    }
  }
  return catalog;
}

/**
 * Finds one backup by id, or the newest when `id` is omitted.
 *
 * @example
 * const manifest = await findBackup(target, "20261129T071500000Z-3fa2c1");
 */
export async function findBackup(target: BackupTarget, id?: string): Promise<BackupManifest> {
  const catalog = await listBackups(target);
  if (id === undefined) {
    const newest = catalog.backups.at(-1);
    if (!newest) throw noBackups(target);
    return newest;
  }
  const found = catalog.backups.find((b) => b.id === id);
  if (found) return found;
  const broken = catalog.unreadable.find((b) => b.id === id);
  if (broken)
    throw backupError("corrupt", `backup ${id} in ${target.location}: ${broken.reason}`, {
      hint: "restore an older backup",
    });
  throw backupError("notFound", `no backup with id '${id}' in ${target.location}`, {
    hint: "list the backups with 'nines data backups --from LOCATION'",
    details: { id },
  });
}

/** The error for a location without backups. */
export function noBackups(target: BackupTarget) {
  return backupError("none", `no backups in ${target.location}`, {
    hint: "check the location, or take one with 'nines data backup --db DB --to LOCATION'",
  });
}
