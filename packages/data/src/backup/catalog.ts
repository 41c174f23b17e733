import { backupError } from "./errors.js";
import { type BackupManifest, isBackupId, manifestKey, parseManifest } from "./manifest.js";
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
  /** Ids with data but no manifest: a backup that never finished (or one still being stored). */
  incomplete: string[];
  /**
   * Temporary files of operations on the target (local folders): `live`
   * ones belong to a backup still running, `abandoned` ones to a killed one
   * and are removed by the next backup or retention.
   */
  staging: StagingInfo[];
}

/**
 * Lists the backups at a target by reading every manifest. A local folder
 * that does not exist is an error (`NINES_BACKUP_LOCATION_MISSING`), not an
 * empty list.
 *
 * @example
 * const { backups } = await listBackups(openTarget("./backups"));
 * backups.at(-1)?.id; // the newest
 */
export async function listBackups(target: BackupTarget): Promise<BackupCatalog> {
  const keys = await target.list();
  const ids = new Map<string, string[]>();
  for (const key of keys) {
    const [id, ...rest] = key.split("/");
    if (id === undefined || !isBackupId(id) || rest.length === 0) continue;
    ids.set(id, [...(ids.get(id) ?? []), rest.join("/")]);
  }
  const catalog: BackupCatalog = {
    backups: [],
    unreadable: [],
    incomplete: [],
    staging: (await target.listStaging?.()) ?? [],
  };
  for (const [id, files] of [...ids].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!files.includes("manifest.json")) {
      catalog.incomplete.push(id);
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
