import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Clock } from "@nines/core";
import { type BackupChecksum, DEFAULT_BLOCK_BYTES, hashBlocks } from "./block-checksum.js";

const FEW_BYTES = 32 * 1024 * 1024;

async function hashBlock(file: string, index: number, blockBytes: number): Promise<Uint8Array> {
  const hash = createHash("sha256");
  const start = index * blockBytes;
  for await (const chunk of createReadStream(file, { start, end: start + blockBytes - 1, highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest();
}

/**
 * Hashes a file in `sha256-blocks` while another thread is still writing
 * it, for a writer that writes every byte once and in ascending order
 * except the first block (SQLite's backup API into a fresh file: pages
 * spill and commit in page order, and page 1, the header, is rewritten at
 * the end). A block is hashed once the file has grown past its end; block
 * 0, and any block the file did not grow past, is hashed by `finish()`,
 * which must be called only after the writer has finished, and returns
 * the same value as {@link fileBlockChecksum} on the final file. The
 * restore checks the value against the file it receives, so a writer that
 * broke the rule would give a backup that fails its checksum, never one
 * that is wrongly accepted.
 *
 * @example
 * const follow = followBlockChecksum("/b/.tmp/snap.sqlite", { clock });
 * await copyInThread();
 * const { size, checksum } = await follow.finish();
 */
export function followBlockChecksum(
  file: string,
  options: { clock: Clock; blockBytes?: number; pollMs?: number; onBytes?: (done: number) => void },
): {
  finish(): Promise<{ size: number; checksum: BackupChecksum }>;
  stop(): Promise<void>;
} {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const digests = new Map<number, Uint8Array>();
  const stopping = new AbortController();
  let next = 1; // block 0 holds the header page, which is rewritten last
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const size = await stat(file).then(
        (s) => s.size,
        () => 0, // not created yet
      );
      // Strictly past the block's end: a byte after it is written, so (ascending order) the whole block is.
      if (size > (next + 1) * blockBytes) {
        try {
          digests.set(next, await hashBlock(file, next, blockBytes));
        } catch {
          return; // finish() hashes whatever was not followed
        }
        next++;
        options.onBytes?.((next - 1) * blockBytes);
        continue;
      }
      await options.clock.sleep(options.pollMs ?? 20, stopping.signal).catch(() => undefined);
    }
  })();
  const stop = async () => {
    stopping.abort();
    await loop;
  };
  return {
    stop,
    async finish() {
      await stop();
      const { size } = await stat(file);
      const blocks = Math.ceil(size / blockBytes);
      const followed = [...digests.keys()];
      // Anything not strictly inside the final file (it cannot shrink here, but then it is simply hashed again).
      for (const i of followed) if ((i + 1) * blockBytes > size) digests.delete(i);
      const missing = Array.from({ length: blocks }, (_, i) => i).filter((i) => !digests.has(i));
      const base = digests.size * blockBytes;
      // A few blocks (the usual case: the header and the tail) hash faster here than threads start.
      const rest =
        missing.length * blockBytes <= FEW_BYTES
          ? new Map(await Promise.all(missing.map(async (i) => [i, await hashBlock(file, i, blockBytes)] as const)))
          : await hashBlocks(file, missing, { size, blockBytes, onBytes: (done) => options.onBytes?.(base + done) });
      const outer = createHash("sha256");
      for (let i = 0; i < blocks; i++) {
        const d = digests.get(i) ?? rest.get(i);
        if (d === undefined) throw new Error(`block ${i} of ${file} was not hashed`);
        outer.update(d);
      }
      return { size, checksum: { scheme: "sha256-blocks", blockBytes, value: outer.digest("hex") } };
    },
  };
}
