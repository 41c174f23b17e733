import { createHash, type Hash } from "node:crypto";
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * How a backup's checksum is computed. `sha256`: the SHA-256 of the whole
 * file (what `sha256sum` prints). `sha256-blocks`: the SHA-256 of the
 * concatenated 32-byte SHA-256 digests of each `blockBytes` block of the
 * file in order (the last block may be shorter; an empty file has no
 * blocks). Blocks hash independently, so a backup hashes on every core; a
 * restore still checks it in one streaming pass.
 */
export type ChecksumScheme = { scheme: "sha256" } | { scheme: "sha256-blocks"; blockBytes: number };

/**
 * A checksum as a manifest records it: the scheme and the hex `value`.
 *
 * @example
 * const checksum: BackupChecksum = { scheme: "sha256-blocks", blockBytes: 4194304, value: "9f2c..." };
 */
export type BackupChecksum = ChecksumScheme & { value: string };

/** 4 MiB: large enough that the outer hash is negligible (32 bytes per block), small enough that little is left to hash after a followed copy. */
export const DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * A streaming hasher for a checksum scheme: feed the bytes in order in
 * chunks of any size, then `digest()` gives the hex value to compare with
 * `manifest.checksum.value`.
 *
 * @example
 * const h = checksumHasher(manifest.checksum);
 * for await (const chunk of stream) h.update(chunk);
 * h.digest() === manifest.checksum.value;
 */
export function checksumHasher(scheme: ChecksumScheme): { update(chunk: Uint8Array): void; digest(): string } {
  if (scheme.scheme === "sha256") {
    const whole = createHash("sha256");
    return { update: (chunk) => whole.update(chunk), digest: () => whole.digest("hex") };
  }
  const { blockBytes } = scheme;
  const outer = createHash("sha256");
  let block: Hash | undefined;
  let inBlock = 0;
  return {
    update(chunk) {
      let at = 0;
      while (at < chunk.length) {
        block ??= createHash("sha256");
        const take = Math.min(blockBytes - inBlock, chunk.length - at);
        block.update(chunk.subarray(at, at + take));
        inBlock += take;
        at += take;
        if (inBlock === blockBytes) {
          outer.update(block.digest());
          block = undefined;
          inBlock = 0;
        }
      }
    },
    digest() {
      if (block) outer.update(block.digest());
      block = undefined;
      return outer.digest("hex");
    },
  };
}

// Plain CommonJS run by worker threads (eval): hashes a contiguous run of blocks, reading with positioned reads.
const SCRIPT = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { file, blockBytes, indices, size } = workerData;
const fd = openSync(file, "r");
try {
  const buf = Buffer.allocUnsafe(Math.min(blockBytes, 1 << 20));
  const digests = [];
  for (const i of indices) {
    const h = createHash("sha256");
    let pos = i * blockBytes;
    const end = Math.min(pos + blockBytes, size);
    while (pos < end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) throw new Error("the file shrank while it was hashed");
      h.update(buf.subarray(0, n));
      pos += n;
    }
    digests.push(h.digest());
    parentPort.postMessage({ done: end - i * blockBytes });
  }
  parentPort.postMessage({ digests });
} finally {
  closeSync(fd);
}
`;

function hashOnThread(
  file: string,
  job: { indices: number[]; size: number; blockBytes: number },
  onBytes: (n: number) => void,
): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SCRIPT, { eval: true, execArgv: [], workerData: { file, ...job } });
    worker.on("message", (m: { done?: number; digests?: Uint8Array[] }) => {
      if (m.digests) resolve(m.digests);
      else if (m.done !== undefined) onBytes(m.done);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`hashing thread exited with status ${code} before answering`)));
  });
}

/**
 * The `sha256-blocks` checksum and size of a file, hashed by up to
 * `threads` worker threads at once (each a contiguous run of blocks), so a
 * large backup's checksum takes a fraction of a single core's time. The
 * file must not change meanwhile. `onBytes` reports progress.
 *
 * @example
 * const { size, checksum } = await fileBlockChecksum("/tmp/backup.sqlite");
 * // manifest: { sizeBytes: size, checksum }
 */
export async function fileBlockChecksum(
  file: string,
  options: { blockBytes?: number; threads?: number; onBytes?: (done: number) => void } = {},
): Promise<{ size: number; checksum: BackupChecksum }> {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const { size } = await stat(file);
  const blocks = Math.ceil(size / blockBytes);
  const digests = await hashBlocks(
    file,
    Array.from({ length: blocks }, (_, i) => i),
    {
      size,
      blockBytes,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.onBytes === undefined ? {} : { onBytes: options.onBytes }),
    },
  );
  const outer = createHash("sha256");
  for (const d of digests.values()) outer.update(d);
  return { size, checksum: { scheme: "sha256-blocks", blockBytes, value: outer.digest("hex") } };
}

/**
 * Digests of the given blocks (ascending) of a file of `size` bytes, each
 * thread taking a contiguous share; a Map in index order. `onBytes`
 * receives the bytes hashed so far.
 *
 * @example
 * const digests = await hashBlocks("/tmp/f", [0, 5, 6], { size, blockBytes: DEFAULT_BLOCK_BYTES });
 */
export async function hashBlocks(
  file: string,
  indices: number[],
  options: { size: number; blockBytes: number; threads?: number; onBytes?: (done: number) => void },
): Promise<Map<number, Uint8Array>> {
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(availableParallelism(), 4), indices.length));
  let done = 0;
  const onBytes = (n: number) => {
    done += n;
    options.onBytes?.(done);
  };
  const runs = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const share = indices.slice(
        Math.floor((t * indices.length) / threads),
        Math.floor(((t + 1) * indices.length) / threads),
      );
      return hashOnThread(file, { indices: share, size: options.size, blockBytes: options.blockBytes }, onBytes);
    }),
  );
  const result = new Map<number, Uint8Array>();
  let k = 0;
  for (const digests of runs) for (const d of digests) result.set(indices[k++] as number, d);
  return result;
}
