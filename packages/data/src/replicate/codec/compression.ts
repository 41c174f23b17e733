import { promisify } from "node:util";
import {
  brotliCompress,
  brotliCompressSync,
  brotliDecompress,
  constants,
  deflateRaw,
  deflateRawSync,
  inflateRaw,
} from "node:zlib";

/**
 * How replica objects are compressed, chunk by chunk, with `node:zlib`
 * (no dependency to install or build): `deflate` (raw DEFLATE at level 1:
 * fast to write and about three times as fast to read back), `brotli`
 * (quality 1: a little smaller, slower to read back) or `none`.
 */
export type ReplicaCompression = "none" | "deflate" | "brotli";

/** The compressions, for option checks and messages. */
export const COMPRESSIONS: readonly ReplicaCompression[] = ["none", "deflate", "brotli"];

/**
 * zlib's output buffer: the whole chunk at once. With zlib's default of
 * 16 KiB, each 1 MiB chunk came back to the calling thread 64 times (a
 * callback and a copy each), which cost more of that thread than the
 * compression itself.
 */
function outputBytes(bytes: number): number {
  return Math.max(64, bytes + (bytes >>> 6) + 1024);
}

const deflateAsync = promisify(deflateRaw);
const inflateAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliCompress);
const unbrotliAsync = promisify(brotliDecompress);

/**
 * Compresses one chunk on libuv's thread pool (the caller's thread stays free).
 *
 * @example
 * const stored = await compressChunk("deflate", page);
 */
export async function compressChunk(compression: ReplicaCompression, plain: Buffer): Promise<Buffer> {
  if (compression === "deflate") return await deflateAsync(plain, { level: 1, chunkSize: outputBytes(plain.length) });
  if (compression === "brotli") {
    return await brotliAsync(plain, {
      chunkSize: outputBytes(plain.length),
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 1,
        [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
      },
    });
  }
  return plain;
}

/**
 * Compresses one chunk in the calling thread: for a replicator in a worker
 * thread, which then uses one core at most and leaves the others (and
 * libuv's thread pool) to the application.
 *
 * @example
 * const stored = compressChunkSync("deflate", page);
 */
export function compressChunkSync(compression: ReplicaCompression, plain: Buffer): Buffer {
  if (compression === "deflate") return deflateRawSync(plain, { level: 1, chunkSize: outputBytes(plain.length) });
  if (compression === "brotli") {
    return brotliCompressSync(plain, {
      chunkSize: outputBytes(plain.length),
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 1,
        [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
      },
    });
  }
  return plain;
}

/**
 * Decompresses one chunk, refusing output of another length than recorded
 * (a zip bomb or a damaged chunk never grows past it).
 *
 * @example
 * const plain = await decompressChunk("deflate", stored, 1048576);
 */
export async function decompressChunk(
  compression: ReplicaCompression,
  stored: Buffer,
  plainBytes: number,
): Promise<Buffer> {
  const limit = { maxOutputLength: Math.max(1, plainBytes), chunkSize: outputBytes(plainBytes) };
  const plain =
    compression === "deflate"
      ? await inflateAsync(stored, limit)
      : compression === "brotli"
        ? await unbrotliAsync(stored, limit)
        : stored;
  if (plain.length !== plainBytes) throw new Error(`chunk is ${plain.length} bytes, its record says ${plainBytes}`);
  return plain;
}
