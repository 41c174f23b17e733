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

/** A frame that ends a transaction: its number, the database size in pages after it, the running checksum after it. */
export interface WalCommit {
  frame: number;
  pages: number;
  checksum: WalChecksum;
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

/** Frames read per system call at most: a few MiB keeps each read short. */
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Reads the log file `fd` from `from` in batches, checking each frame with
 * SQLite's recovery rules (its salts and the cumulative checksum) and
 * stopping at the first one that fails, at most `maxBytes`. Batches start
 * small and grow: the file often holds stale frames of earlier cycles past
 * the last valid one, and a look that finds a few new frames should not
 * read megabytes of them. Each batch is a fresh buffer (word-aligned, so
 * the checksum reads whole words) handed to `onBatch` with the number of
 * valid frames in it and the commits among them: the caller may keep it.
 */
function readBatches(
  fd: number,
  header: WalHeader,
  from: WalPosition,
  maxBytes: number,
  onBatch: (buffer: Buffer, frames: number, commits: { index: number; commit: WalCommit }[]) => void,
): { valid: WalPosition; exhausted: boolean } {
  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  const size = fstatSync(fd).size;
  const most = Math.max(1, Math.floor(BATCH_BYTES / frameBytes));
  let valid = from;
  let scanned = 0;
  let batches = 0;
  for (;;) {
    if (scanned >= maxBytes) return { valid, exhausted: true };
    const offset = frameOffset(valid.frame + 1, header.pageSize);
    const available = Math.floor((size - offset) / frameBytes);
    if (available <= 0) return { valid, exhausted: false };
    const count = Math.min(available, most, 4 ** (batches++ + 1));
    const buffer = Buffer.allocUnsafeSlow(count * frameBytes);
    const whole = Math.floor(readSync(fd, buffer, 0, count * frameBytes, offset) / frameBytes);
    const commits: { index: number; commit: WalCommit }[] = [];
    let frames = 0;
    for (; frames < whole; frames++) {
      const at = frames * frameBytes;
      const sum = checkFrame(buffer, at, header.pageSize, header, valid.checksum);
      if (sum === undefined) break;
      valid = { frame: valid.frame + 1, checksum: sum };
      const pages = readFrameHeader(buffer, at).commitPages;
      if (pages > 0) commits.push({ index: frames, commit: { frame: valid.frame, pages, checksum: sum } });
    }
    scanned += frames * frameBytes;
    if (frames > 0) onBatch(buffer, frames, commits);
    if (frames < count) return { valid, exhausted: false };
  }
}

/**
 * Scans the log file `fd` from `from`, frame by frame, with SQLite's
 * recovery rules: stops at the first frame whose salts or cumulative
 * checksum do not match. Reads whole frames with synchronous reads (the log
 * was just written: it is in the page cache), at most `maxBytes`.
 *
 * @example
 * const scan = scanWal(fd, header, { frame: 0, checksum: header.checksum });
 * scan.commits.at(-1); // { frame: 12, pages: 40, checksum: [...] }
 */
export function scanWal(
  fd: number,
  header: WalHeader,
  from: WalPosition,
  maxBytes = Number.POSITIVE_INFINITY,
): WalScan {
  const commits: WalCommit[] = [];
  const { valid, exhausted } = readBatches(fd, header, from, maxBytes, (_buffer, _frames, found) => {
    for (const { commit } of found) commits.push(commit);
  });
  const last = commits.at(-1);
  return { commits, committed: last ? { frame: last.frame, checksum: last.checksum } : from, valid, exhausted };
}

/** Receives committed frames in log order: whole frames (headers and pages), the caller's to keep. */
export type OnCommitted = (frames: Buffer, last: WalPosition) => void;

/** Uncommitted frames kept in memory while a look reads on; a longer transaction is read again once committed. */
export const HOLD_BYTES = 16 * 1024 * 1024;

/**
 * Reads the log from `from` once, handing every frame up to the last commit
 * found to `onCommitted` as it goes, without reading it again: the frames
 * of a transaction not yet committed are held until its commit shows up in
 * the same look (they are read again at the next look otherwise). Only a
 * transaction larger than 16 MiB is scanned first and read a second time
 * once its commit is found, so memory stays bounded. Returns the commits,
 * the position after the last one, and how far valid frames go (a scan that
 * stopped inside a transaction resumes there, see `WalFollower`); `changed`
 * when the log changed under the reader (frames were handed out without
 * their commit: the caller must drop them).
 *
 * @example
 * const read = readCommitted(fd, header, follower.position, 256 * 1024 * 1024, (frames, last) => builder.frames(frames, last));
 */
export function readCommitted(
  fd: number,
  header: WalHeader,
  from: WalPosition,
  maxBytes: number,
  onCommitted: OnCommitted,
  scanFrom: WalPosition = from,
): WalScan & { changed?: true } {
  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  const commits: WalCommit[] = [];
  let handed = from;
  let held: Buffer[] = [];
  let heldBytes = 0;
  // Resuming a scan past `from` means the frames in between were not kept: they are read again at the commit.
  let holding = scanFrom.frame === from.frame;
  const { valid, exhausted } = readBatches(fd, header, scanFrom, maxBytes, (buffer, frames, found) => {
    for (const { commit } of found) commits.push(commit);
    const last = found.at(-1);
    if (!holding) return;
    if (last) {
      const end = (last.index + 1) * frameBytes;
      for (const part of held) onCommitted(part, handed);
      onCommitted(buffer.subarray(0, end), { frame: last.commit.frame, checksum: last.commit.checksum });
      handed = { frame: last.commit.frame, checksum: last.commit.checksum };
      held = end < frames * frameBytes ? [buffer.subarray(end, frames * frameBytes)] : [];
      heldBytes = held[0]?.length ?? 0;
    } else {
      held.push(buffer.subarray(0, frames * frameBytes));
      heldBytes += frames * frameBytes;
    }
    if (heldBytes > HOLD_BYTES) {
      holding = false;
      held = [];
    }
  });
  const last = commits.at(-1);
  if (last && last.frame > handed.frame) {
    // A large transaction: its frames were scanned, not kept. A read transaction keeps them from changing.
    const complete = readFrames(fd, header, handed, last.frame, last.checksum, onCommitted);
    if (!complete) return { commits: [], committed: from, valid: from, exhausted: false, changed: true };
    handed = { frame: last.frame, checksum: last.checksum };
  }
  return { commits, committed: handed, valid, exhausted };
}

/**
 * Reads committed frames `from.frame + 1` to `to` (found by a scan) in
 * batches and hands each batch to `onRun`; returns false when a frame no
 * longer matches (the log changed under the reader). The frames were
 * checked by the scan and cannot change while a read transaction holds the
 * log: only their salts are checked, each running checksum is taken from
 * its header, and the last one must be `expected`.
 *
 * @example
 * readFrames(fd, header, start, scan.committed.frame, scan.committed.checksum, (frames, last) => keep(frames));
 */
export function readFrames(
  fd: number,
  header: WalHeader,
  from: WalPosition,
  to: number,
  expected: WalChecksum,
  onRun: OnCommitted,
): boolean {
  const frameBytes = FRAME_HEADER_BYTES + header.pageSize;
  const most = Math.max(1, Math.floor(BATCH_BYTES / frameBytes));
  let checksum = from.checksum;
  let next = from.frame + 1;
  while (next <= to) {
    const count = Math.min(to - next + 1, most);
    const buffer = Buffer.allocUnsafeSlow(count * frameBytes);
    const read = readSync(fd, buffer, 0, count * frameBytes, frameOffset(next, header.pageSize));
    if (read < count * frameBytes) return false;
    for (let i = 0; i < count; i++) {
      const frame = readFrameHeader(buffer, i * frameBytes);
      if (frame.salt1 !== header.salt1 || frame.salt2 !== header.salt2) return false;
      checksum = frame.checksum;
    }
    next += count;
    onRun(buffer, { frame: next - 1, checksum });
  }
  return checksum[0] === expected[0] && checksum[1] === expected[1];
}
