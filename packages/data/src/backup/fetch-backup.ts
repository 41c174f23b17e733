import { createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isNinesError, type OnProgress } from "@nines/core";
import { checksumHasher, fileBlockChecksum } from "./block-checksum.js";
import { fileChecksum } from "./checksum.js";
import { BACKUP_ERRORS, backupError } from "./errors.js";
import type { BackupManifest } from "./manifest.js";
import { bytesProgress } from "./progress.js";
import { syncPath } from "./sync-path.js";
import type { BackupTarget } from "./targets/target.js";

function unreadable(manifest: BackupManifest, target: BackupTarget, error: unknown) {
  return backupError(
    "targetFailed",
    `reading backup ${manifest.id} from ${target.location} failed: ${(error as Error).message}`,
    { hint: "check the target (disk, network, credentials) and try again", cause: error },
  );
}

function noData(manifest: BackupManifest, key: string, error: unknown) {
  return backupError("corrupt", `backup ${manifest.id} has no data object ${key}`, {
    hint: "restore an older backup",
    cause: error,
  });
}

/** Streams the object into `file`, hashing on the way: one pass over the data, for targets that only stream. */
async function streamAndHash(
  target: BackupTarget,
  manifest: BackupManifest,
  key: string,
  file: string,
  onProgress?: OnProgress,
) {
  let source: Readable;
  try {
    source = await target.get(key);
  } catch (error) {
    throw noData(manifest, key, error);
  }
  const hash = checksumHasher(manifest.checksum);
  let size = 0;
  const hashing = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
      onProgress?.(bytesProgress("download", size, manifest.sizeBytes));
      yield chunk;
    }
  };
  try {
    await pipeline(source, hashing, createWriteStream(file));
  } catch (error) {
    throw unreadable(manifest, target, error);
  }
  return { size, value: hash.digest() };
}

/**
 * Has the target copy the object into `file` (a local folder: inside the
 * kernel), then hashes that copy, in blocks on every core for
 * `sha256-blocks`, while it is fsynced: what is checked is the file that
 * will be put in place.
 */
async function copyAndHash(
  target: BackupTarget,
  download: (key: string, file: string) => Promise<void>,
  manifest: BackupManifest,
  key: string,
  file: string,
  onProgress?: OnProgress,
) {
  try {
    await download(key, file);
  } catch (error) {
    throw isNinesError(error, BACKUP_ERRORS.notFound)
      ? noData(manifest, key, error)
      : unreadable(manifest, target, error);
  }
  const { size } = await stat(file);
  onProgress?.(bytesProgress("download", size, manifest.sizeBytes));
  if (size !== manifest.sizeBytes) return { size, value: "" }; // refused below, without hashing a wrong file
  const onBytes = (done: number) => onProgress?.(bytesProgress("checksum", done, size));
  const { checksum } = manifest;
  const [value] = await Promise.all([
    checksum.scheme === "sha256-blocks"
      ? fileBlockChecksum(file, { blockBytes: checksum.blockBytes, onBytes }).then((sum) => sum.checksum.value)
      : fileChecksum(file, onBytes).then((sum) => sum.checksum.value),
    syncPath(file),
  ]);
  return { size, value };
}

/**
 * Copies a backup's data into the local file `file` and checks its size and
 * checksum against the manifest. A truncated or altered file is refused with
 * `NINES_BACKUP_CORRUPT` and the local copy removed. A target that can copy
 * to a local file itself (`download`, a local folder) does; others are
 * streamed and hashed on the way.
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
    onProgress?.(bytesProgress("download", 0, manifest.sizeBytes, `${target.location}/${key}`));
    const { size, value } = target.download
      ? await copyAndHash(target, target.download.bind(target), manifest, key, file, onProgress)
      : await streamAndHash(target, manifest, key, file, onProgress);
    if (size !== manifest.sizeBytes) {
      throw backupError(
        "corrupt",
        `backup ${manifest.id} is ${size} bytes but its manifest says ${manifest.sizeBytes} (truncated or altered)`,
        { hint: "restore an older backup", details: { id: manifest.id, reason: "size" } },
      );
    }
    if (value !== manifest.checksum.value) {
      throw backupError(
        "corrupt",
        `backup ${manifest.id} fails its ${manifest.checksum.scheme} checksum (the data was altered)`,
        { hint: "restore an older backup", details: { id: manifest.id, reason: "checksum" } },
      );
    }
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
