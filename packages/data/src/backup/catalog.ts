import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { checksumHasher } from "./block-checksum.js";
import { backupError } from "./errors.js";
import { type BackupManifest, isBackupId, manifestKey, parseManifest } from "./manifest.js";
import type { OnProgress } from "./progress.js";
import type { BackupTarget } from "./targets/target.js";

/** What is at a backup location. */
export interface BackupCatalog {
  /** Complete backups with a readable manifest, oldest first. */
  backups: BackupManifest[];
  /** Backups whose manifest cannot be read: never restored, reported. */
  unreadable: { id: string; reason: string }[];
  /** Ids with data but no manifest: a backup that never finished. */
  incomplete: string[];
}

/**
 * Lists the backups at a target by reading every manifest.
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
  const catalog: BackupCatalog = { backups: [], unreadable: [], incomplete: [] };
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

/**
 * Copies a backup's data into the local file `file` and checks its size and
 * SHA-256 against the manifest. A truncated or altered file is refused with
 * `NINES_BACKUP_CORRUPT` and the local copy removed.
 *
 * @example
 * await fetchBackup(target, manifest, "/tmp/restore.sqlite");
 */
export async function fetchBackup(
  target: BackupTarget,
  manifest: BackupManifest,
  file: string,
  onProgress?: OnProgress,
): Promise<void> {
  const key = `${manifest.id}/${manifest.dataFile}`;
  try {
    onProgress?.({ phase: "download", message: `${target.location}/${key}`, total: manifest.sizeBytes });
    let source: Readable;
    try {
      source = await target.get(key);
    } catch (error) {
      throw backupError("corrupt", `backup ${manifest.id} has no data object ${key}`, {
        hint: "restore an older backup",
        cause: error,
      });
    }
    // Hash while copying: one pass over the data, overlapping with the kernel writing it out.
    const hash = checksumHasher(manifest.checksum);
    let size = 0;
    const hashing = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        onProgress?.({ phase: "download", done: size, total: manifest.sizeBytes });
        yield chunk;
      }
    };
    try {
      await pipeline(source, hashing, createWriteStream(file));
    } catch (error) {
      throw backupError(
        "targetFailed",
        `reading backup ${manifest.id} from ${target.location} failed: ${(error as Error).message}`,
        {
          hint: "check the target (disk, network, credentials) and try again",
          cause: error,
        },
      );
    }
    const sha256 = hash.digest();
    if (size !== manifest.sizeBytes) {
      throw backupError(
        "corrupt",
        `backup ${manifest.id} is ${size} bytes but its manifest says ${manifest.sizeBytes} (truncated or altered)`,
        { hint: "restore an older backup", details: { id: manifest.id, reason: "size" } },
      );
    }
    if (sha256 !== manifest.sha256) {
      throw backupError("corrupt", `backup ${manifest.id} fails its SHA-256 checksum (the data was altered)`, {
        hint: "restore an older backup",
        details: { id: manifest.id, reason: "checksum" },
      });
    }
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
