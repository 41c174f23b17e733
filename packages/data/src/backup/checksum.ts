import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { BackupChecksum } from "./block-checksum.js";

/**
 * The whole-file SHA-256 checksum (`sha256sum`) and size of a file,
 * streamed so a large backup is never held in memory. `onBytes` is called
 * as it goes, for progress.
 *
 * @example
 * const { checksum, size } = await fileChecksum("/tmp/backup.pgdump"); // checksum.scheme === "sha256"
 */
export async function fileChecksum(
  file: string,
  onBytes?: (done: number) => void,
): Promise<{ checksum: BackupChecksum; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.(size);
  }
  return { checksum: { scheme: "sha256", value: hash.digest("hex") }, size };
}
