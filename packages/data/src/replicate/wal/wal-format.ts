/**
 * SQLite's write-ahead log format (https://sqlite.org/fileformat2.html#walformat):
 * a 32-byte header, then frames of a 24-byte header and one page. A frame
 * is valid when its salts match the header's and its checksum, cumulative
 * over every frame before it, matches; a frame whose "database size" field
 * is not zero ends a transaction (a commit). These are the rules SQLite's
 * own crash recovery applies, so a frame is shipped exactly when a crash
 * right now would keep it.
 */

/** Size of the WAL header and of each frame header. */
export const WAL_HEADER_BYTES = 32;
export const FRAME_HEADER_BYTES = 24;

const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;

/** A running WAL checksum: two 32-bit words. */
export type WalChecksum = readonly [number, number];

/** What a WAL header says. */
export interface WalHeader {
  /** Checksums over big-endian words (magic 0x377f0683) rather than little-endian ones. */
  bigEndian: boolean;
  pageSize: number;
  /** Incremented by SQLite each time the log restarts from its beginning. */
  checkpointSeq: number;
  salt1: number;
  salt2: number;
  /** The header's own checksum, which seeds the checksum of frame 1. */
  checksum: WalChecksum;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * SQLite's WAL checksum of `bytes` (a multiple of 8 long), continuing from `seed`.
 *
 * @example
 * walChecksum(headerBytes.subarray(0, 24), false, [0, 0]); // the header's checksum
 */
export function walChecksum(bytes: Uint8Array, bigEndian: boolean, seed: WalChecksum): WalChecksum {
  let s1 = seed[0] | 0;
  let s2 = seed[1] | 0;
  const n = bytes.length >>> 2;
  if (!bigEndian && LITTLE_ENDIAN_HOST && (bytes.byteOffset & 3) === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i += 2) {
      s1 = (s1 + (words[i] as number) + s2) | 0;
      s2 = (s2 + (words[i + 1] as number) + s1) | 0;
    }
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const little = !bigEndian;
    for (let i = 0; i < n; i += 2) {
      s1 = (s1 + view.getUint32(i * 4, little) + s2) | 0;
      s2 = (s2 + view.getUint32(i * 4 + 4, little) + s1) | 0;
    }
  }
  return [s1 >>> 0, s2 >>> 0];
}

/**
 * Parses and checks a WAL header; undefined when the bytes are not a valid
 * one (an empty or truncated log, a bad magic or checksum).
 *
 * @example
 * const header = parseWalHeader(first32Bytes); // header?.salt1
 */
export function parseWalHeader(bytes: Uint8Array): WalHeader | undefined {
  if (bytes.length < WAL_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, WAL_HEADER_BYTES);
  const magic = view.getUint32(0);
  if (magic !== MAGIC_LE && magic !== MAGIC_BE) return undefined;
  const bigEndian = magic === MAGIC_BE;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  const checksum = walChecksum(bytes.subarray(0, 24), bigEndian, [0, 0]);
  if (checksum[0] !== view.getUint32(24) || checksum[1] !== view.getUint32(28)) return undefined;
  return {
    bigEndian,
    pageSize,
    checkpointSeq: view.getUint32(12),
    salt1: view.getUint32(16),
    salt2: view.getUint32(20),
    checksum,
  };
}

/** A frame header's fields. */
export interface FrameHeader {
  pageNumber: number;
  /** The database size in pages after this commit, or 0 for a frame that does not end a transaction. */
  commitPages: number;
  salt1: number;
  salt2: number;
  checksum: WalChecksum;
}

/** Reads the 24-byte frame header at `offset` of `bytes`. */
export function readFrameHeader(bytes: Uint8Array, offset: number): FrameHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  return {
    pageNumber: view.getUint32(0),
    commitPages: view.getUint32(4),
    salt1: view.getUint32(8),
    salt2: view.getUint32(12),
    checksum: [view.getUint32(16), view.getUint32(20)],
  };
}

/**
 * Checks the frame at `offset` of `bytes` against the log's salts and the
 * running checksum; returns the checksum after it, or undefined when the
 * frame is not valid (the end of the log as SQLite's recovery sees it).
 *
 * @example
 * const after = checkFrame(buffer, 0, pageSize, header, header.checksum);
 */
export function checkFrame(
  bytes: Uint8Array,
  offset: number,
  pageSize: number,
  salts: { salt1: number; salt2: number; bigEndian: boolean },
  seed: WalChecksum,
): WalChecksum | undefined {
  const header = readFrameHeader(bytes, offset);
  if (header.salt1 !== salts.salt1 || header.salt2 !== salts.salt2 || header.pageNumber === 0) return undefined;
  const first = walChecksum(bytes.subarray(offset, offset + 8), salts.bigEndian, seed);
  const start = offset + FRAME_HEADER_BYTES;
  const sum = walChecksum(bytes.subarray(start, start + pageSize), salts.bigEndian, first);
  return sum[0] === header.checksum[0] && sum[1] === header.checksum[1] ? sum : undefined;
}

/** Byte offset of frame `n` (1-based) in a log of this page size. */
export function frameOffset(n: number, pageSize: number): number {
  return WAL_HEADER_BYTES + (n - 1) * (FRAME_HEADER_BYTES + pageSize);
}
