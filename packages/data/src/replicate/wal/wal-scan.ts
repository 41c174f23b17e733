import { fstatSync, readSync } from "node:fs";
import {
  checkFrame,
  FRAME_HEADER_BYTES,
  frameOffset,
  readFrameHeader,
  type WalChecksum,
  type WalHeader,
} from "./wal-format.js";

/** A place in one cycle of the log: after frame `frame` (0: before the first), with the running checksum there. */
export interface WalPosition {
  frame: number;
  checksum: WalChecksum;
}

/** A frame that ends a transaction: its number and the database size in pages after it. */
export interface WalCommit {
  frame: number;
  pages: number;
}

/** What a scan found after `from`. */
export interface WalScan {
  /** Commits, in order. */
  commits: WalCommit[];
  /** After the last commit (or `from` when there is none). */
  committed: WalPosition;
  /** After the last valid frame, which may belong to a transaction still being written. */
  valid: WalPosition;
  /** True when the scan stopped at `maxBytes` with more frames to look at. */
  exhausted: boolean;
}

/**
 * Called for each frame of a read range: the whole frame (header and page),
 * its number, its page and the running checksum after it. The bytes are a
 * view of a reused buffer: copy what must outlive the call.
 */
export type OnFrame = (frame: Uint8Array, frameNumber: number, pageNumber: number, checksum: WalChecksum) => void;

/** Frames read per system call: a few MiB keeps each read short and the buffer small. */
const BATCH_BYTES = 4 * 1024 * 1024;

function batchBuffer(frameBytes: number): Buffer {
  // Its own allocation, so the buffer starts 4-aligned and the checksum can read it as words.
  return Buffer.allocUnsafeSlow(Math.max(1, Math.floor(BATCH_BYTES / frameBytes)) * frameBytes);
}

/**
 * Scans the log file `fd` from `from`, frame by frame, with SQLite's
 * recovery rules: stops at the first frame whose salts or cumulative
 * checksum do not match. Reads whole frames with synchronous reads (the log
 * was just written: it is in the page cache), at most `maxBytes`.
 *
 * @example
 * const scan = scanWal(fd, header, { frame: 0, checksum: header.checksum });
 * scan.commits.at(-1); // { frame: 12, pages: 40 }
 */
export function scanWal(
  fd: number,
  header: WalHeader,
  from: WalPosition,
  maxBytes = Number.POSITIVE_INFINITY,
): WalScan {
  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  const size = fstatSync(fd).size;
  const buffer = batchBuffer(frameBytes);
  const commits: WalCommit[] = [];
  let valid: WalPosition = from;
  let committed: WalPosition = from;
  let scanned = 0;
  let next = from.frame + 1;
  let exhausted = false;
  let batches = 0;
  for (;;) {
    if (scanned >= maxBytes) {
      exhausted = true;
      break;
    }
    const offset = frameOffset(next, header.pageSize);
    const available = Math.floor((size - offset) / frameBytes);
    if (available <= 0) break;
    // Small reads first, growing: the file often holds stale frames of earlier cycles past the last valid one,
    // and a look that finds a few new frames should not read megabytes of them.
    const count = Math.min(available, buffer.length / frameBytes, 4 ** (batches++ + 1));
    const read = readSync(fd, buffer, 0, count * frameBytes, offset);
    const whole = Math.floor(read / frameBytes);
    let stopped = whole < count;
    for (let i = 0; i < whole; i++) {
      const at = i * frameBytes;
      const sum = checkFrame(buffer, at, header.pageSize, header, valid.checksum);
      if (sum === undefined) {
        stopped = true;
        break;
      }
      valid = { frame: next, checksum: sum };
      const pages = readFrameHeader(buffer, at).commitPages;
      if (pages > 0) {
        commits.push({ frame: next, pages });
        committed = valid;
      }
      next++;
    }
    scanned += whole * frameBytes;
    if (stopped || whole === 0) break;
  }
  return { commits, committed, valid, exhausted };
}

/**
 * Reads frames `from.frame + 1` to `to` (committed ones, found by
 * {@link scanWal}) and hands each to `onFrame`; returns false when a frame
 * no longer matches (the log changed under the reader), true when all were
 * read. With `trusted` (the checksum after `to` that a scan just computed),
 * frames are not checksummed again, as they cannot change while a read
 * transaction holds the log: only their salts are checked, each frame's
 * running checksum is taken from its header, and the last one must be the
 * expected one; otherwise the whole chain is computed again. `onRun` gets
 * each batch of frames as one view (of a reused buffer), after their
 * `onFrame` calls.
 *
 * @example
 * readFrames(fd, header, start, scan.committed.frame, (frame, n, page) => pending.push(frame), scan.committed.checksum);
 */
export function readFrames(
  fd: number,
  header: WalHeader,
  from: WalPosition,
  to: number,
  onFrame: OnFrame,
  trusted?: WalChecksum,
  onRun?: (frames: Uint8Array, last: WalPosition) => void,
): boolean {
  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  const buffer = batchBuffer(frameBytes);
  let checksum = from.checksum;
  let next = from.frame + 1;
  while (next <= to) {
    const count = Math.min(to - next + 1, buffer.length / frameBytes);
    const read = readSync(fd, buffer, 0, count * frameBytes, frameOffset(next, header.pageSize));
    if (read < count * frameBytes) return false;
    for (let i = 0; i < count; i++) {
      const at = i * frameBytes;
      const frame = readFrameHeader(buffer, at);
      let sum: WalChecksum | undefined;
      if (trusted) {
        if (frame.salt1 !== header.salt1 || frame.salt2 !== header.salt2) return false;
        sum = frame.checksum;
      } else {
        sum = checkFrame(buffer, at, header.pageSize, header, checksum);
        if (sum === undefined) return false;
      }
      checksum = sum;
      onFrame(buffer.subarray(at, at + frameBytes), next, frame.pageNumber, sum);
      next++;
    }
    // The whole batch at once: one copy for the caller instead of one per frame.
    onRun?.(buffer.subarray(0, count * frameBytes), { frame: next - 1, checksum });
  }
  return !trusted || (checksum[0] === trusted[0] && checksum[1] === trusted[1]);
}
