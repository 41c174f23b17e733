import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/**
 * SHA-256 (hex) and size of a file, streamed so a large backup is never
 * held in memory. `onBytes` is called as it goes, for progress.
 *
 * @example
 * const { sha256, size } = await fileChecksum("/tmp/backup.sqlite");
 */
export async function fileChecksum(
  file: string,
  onBytes?: (done: number) => void,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.(size);
  }
  return { sha256: hash.digest("hex"), size };
}
