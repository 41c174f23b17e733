import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import {
  FRAME_HEADER_BYTES,
  frameOffset,
  parseWalHeader,
  readFrameHeader,
  WAL_HEADER_BYTES,
  type WalChecksum,
  type WalHeader,
} from "./wal-format.js";
import { HOLD_BYTES, readCommitted, readFrames, scanWal, type WalCommit, type WalPosition } from "./wal-scan.js";

/** The newest frame of a page in the current cycle of the log, with the checksum stored in its header. */
export interface IndexedFrame {
  frame: number;
  checksum: WalChecksum;
}

/** Receives what the follower reads, in log order. */
export interface FollowerSink {
  /** A new cycle of the log starts; the frames that follow belong to it. */
  cycle(header: WalHeader, headerBytes: Buffer): void;
  /** Committed frames (headers and pages, in order) up to `last`; the bytes are the sink's to keep. */
  frames(bytes: Buffer, last: WalPosition): void;
  /** The commits whose frames were just handed out. */
  commits(commits: WalCommit[]): void;
}

/** Where a replica left off, to continue from: the log cycle's salts and the position after its last frame. */
export interface ResumeAt {
  salt1: number;
  salt2: number;
  frame: number;
  checksum: WalChecksum;
}

/** What one look at the log found. */
export type Observed =
  | { kind: "ok"; commits: number; exhausted: boolean }
  /**
   * The log cannot be followed from where the replica is: a new generation
   * must start. `torn`: frames were handed out without their commit (the log
   * changed while it was read), so what the sink holds must be dropped.
   */
  | { kind: "broken"; reason: string; torn?: boolean };

/** Bytes scanned per look, so one tick never reads gigabytes (a replicator behind catches up over a few). */
const DEFAULT_BUDGET = 256 * 1024 * 1024;

/**
 * Follows a database's `-wal` file: which cycle of the log it is in (its
 * salts), the position after the last frame read (always a commit) and the
 * progress of a scan through a large transaction not yet committed. Each
 * frame is read once (see `readCommitted`). Reads are synchronous and
 * bounded. It never trusts a log that restarted while the replicator did
 * not hold a read transaction (`continuous: false`), nor one whose salt
 * does not follow the previous cycle's: those are broken lineages.
 *
 * @example
 * const follower = new WalFollower("app.db-wal");
 * follower.start();
 * follower.observe(sink, { continuous: true });
 */
export class WalFollower {
  readonly path: string;
  header: WalHeader | undefined;
  headerBytes: Buffer | undefined;
  /** After the last commit read in the current cycle. */
  position: WalPosition = { frame: 0, checksum: [0, 0] };
  /** Database size in pages after the last commit read in this cycle (0: no commit in this cycle yet). */
  pages = 0;
  /** Newest frame per page in this cycle, up to `position` (what a snapshot reads from the log). */
  readonly index = new Map<number, IndexedFrame>();
  /** The last cycle ended (the log was emptied): the next header must follow it. */
  #ended = false;
  #tentative: WalPosition | undefined;
  #fd: number | undefined;
  #inode = 0;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads the log as it is now. Without `resume`, the position becomes the
   * last commit in it (a snapshot will cover everything up to there). With
   * `resume`, the position becomes that point when the log still holds it
   * (same salts, a commit there with the same running checksum), so the
   * frames after it are handed out by the next `observe`; returns why not
   * otherwise.
   */
  start(resume?: ResumeAt): { ok: true } | { ok: false; reason: string } {
    this.#reset();
    const read = this.#readHeader();
    if (!read) {
      return resume ? { ok: false, reason: "the WAL is empty: the database was checkpointed since" } : { ok: true };
    }
    const { header } = read;
    this.#adopt(read.header, read.bytes);
    const scan = scanWal(this.#fd as number, header, this.position);
    if (resume) {
      if (resume.salt1 !== header.salt1 || resume.salt2 !== header.salt2) {
        return {
          ok: false,
          reason: "the WAL restarted since (its salts changed): frames may have been checkpointed away",
        };
      }
      const commit = scan.commits.find((c) => c.frame === resume.frame);
      if (resume.frame > 0 && !commit)
        return { ok: false, reason: `the WAL no longer ends a transaction at frame ${resume.frame}` };
      const checksum = commit ? commit.checksum : header.checksum;
      if (checksum[0] !== resume.checksum[0] || checksum[1] !== resume.checksum[1]) {
        return { ok: false, reason: `frame ${resume.frame} of the WAL is not the one the replica ends with` };
      }
      this.pages = commit?.pages ?? 0;
      return this.#indexUpTo(header, { frame: resume.frame, checksum });
    }
    this.pages = scan.commits.at(-1)?.pages ?? 0;
    return this.#indexUpTo(header, scan.committed);
  }

  /**
   * Reads what was committed since the last look and hands it to `sink`.
   * `continuous` says a read transaction was held without a break since the
   * last look (only then may the log have restarted safely).
   */
  observe(sink: FollowerSink, options: { continuous: boolean; budgetBytes?: number }): Observed {
    const read = this.#readHeader();
    if (this.#fd === undefined || this.#replaced()) {
      if (this.header) return { kind: "broken", reason: "the WAL file was removed or replaced" };
      if (!read) return { kind: "ok", commits: 0, exhausted: false };
    }
    if (!read) {
      // Empty: checkpointed with TRUNCATE. Safe only if we held the log all along (then we had read it all).
      if (this.header && !options.continuous) {
        return { kind: "broken", reason: "the WAL was truncated while the replicator did not hold it" };
      }
      if (this.header) this.#ended = true;
      return { kind: "ok", commits: 0, exhausted: false };
    }
    const { header } = read;
    const current = this.header;
    if (!current || current.salt1 !== header.salt1 || current.salt2 !== header.salt2 || this.#ended) {
      if (!options.continuous)
        return { kind: "broken", reason: "the WAL restarted while the replicator did not hold it" };
      if (current && (header.salt1 !== (current.salt1 + 1) >>> 0 || header.pageSize !== current.pageSize)) {
        return { kind: "broken", reason: "the WAL restarted more than once, or was replaced" };
      }
      this.#adopt(header, read.bytes);
      sink.cycle(header, read.bytes);
    }
    return this.#readNew(header, sink, options.budgetBytes ?? DEFAULT_BUDGET);
  }

  /** True when the log was emptied (checkpointed with TRUNCATE) after the last frame read: the database file holds everything. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Closes the log file. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #readNew(header: WalHeader, sink: FollowerSink, budget: number): Observed {
    const fd = this.#fd as number;
    // A scan that stopped inside a large transaction resumes where it stopped, if those frames are still there.
    const tentative = this.#tentative;
    const scanFrom = tentative && this.#stillThere(header, tentative) ? tentative : this.position;
    let handed = false;
    const read = readCommitted(
      fd,
      header,
      this.position,
      budget,
      (frames, last) => {
        handed = true;
        this.#indexFrames(frames, last, header.pageSize);
        sink.frames(frames, last);
      },
      scanFrom,
    );
    if (read.changed) {
      // The log changed under a read transaction, which cannot happen: never follow it.
      return { kind: "broken", reason: "the WAL changed while it was read", ...(handed ? { torn: true } : {}) };
    }
    const last = read.commits.at(-1);
    // Only a transaction too large to hold is resumed where the scan stopped; a short tail is simply read again.
    const tail = (read.valid.frame - read.committed.frame) * (FRAME_HEADER_BYTES + header.pageSize);
    this.#tentative = tail > HOLD_BYTES ? read.valid : undefined;
    if (!last) return { kind: "ok", commits: 0, exhausted: read.exhausted };
    sink.commits(read.commits);
    this.position = read.committed;
    this.pages = last.pages;
    return { kind: "ok", commits: read.commits.length, exhausted: read.exhausted };
  }

  /** Indexes the frames from the start of the cycle up to `to`, which becomes the position. */
  #indexUpTo(header: WalHeader, to: WalPosition): { ok: true } | { ok: false; reason: string } {
    const start = { frame: 0, checksum: header.checksum };
    const complete =
      to.frame === 0 ||
      readFrames(this.#fd as number, header, start, to.frame, to.checksum, (frames, last) =>
        this.#indexFrames(frames, last, header.pageSize),
      );
    if (!complete) return { ok: false, reason: "the WAL changed while it was read" };
    this.position = to;
    return { ok: true };
  }

  /** Records the pages of whole frames that end at `last` (the batch a reader just handed out). */
  #indexFrames(frames: Buffer, last: WalPosition, pageSize: number): void {
    const frameBytes = FRAME_HEADER_BYTES + pageSize;
    const count = frames.length / frameBytes;
    for (let i = 0; i < count; i++) {
      const f = readFrameHeader(frames, i * frameBytes);
      this.index.set(f.pageNumber, { frame: last.frame - count + 1 + i, checksum: f.checksum });
    }
  }

  /** True when the frame at a scan's resume point is still the one scanned (no rollback rewrote it). */
  #stillThere(header: WalHeader, at: WalPosition): boolean {
    const bytes = Buffer.alloc(FRAME_HEADER_BYTES);
    const read = readSync(this.#fd as number, bytes, 0, FRAME_HEADER_BYTES, frameOffset(at.frame, header.pageSize));
    if (read < FRAME_HEADER_BYTES) return false;
    const frame = readFrameHeader(bytes, 0);
    return (
      frame.salt1 === header.salt1 &&
      frame.salt2 === header.salt2 &&
      frame.checksum[0] === at.checksum[0] &&
      frame.checksum[1] === at.checksum[1]
    );
  }

  #adopt(header: WalHeader, bytes: Buffer): void {
    this.header = header;
    this.headerBytes = bytes;
    this.#ended = false;
    this.#tentative = undefined;
    this.index.clear();
    this.position = { frame: 0, checksum: header.checksum };
    this.pages = 0;
  }

  #reset(): void {
    this.header = undefined;
    this.headerBytes = undefined;
    this.#ended = false;
    this.#tentative = undefined;
    this.index.clear();
    this.position = { frame: 0, checksum: [0, 0] };
    this.pages = 0;
  }

  /** The header as the file has it now (opening the file when it appears), or undefined when it is empty or absent. */
  #readHeader(): { header: WalHeader; bytes: Buffer } | undefined {
    if (this.#fd === undefined) {
      try {
        this.#fd = openSync(this.path, "r");
        this.#inode = fstatSync(this.#fd).ino;
      } catch {
        return undefined;
      }
    }
    const bytes = Buffer.alloc(WAL_HEADER_BYTES);
    const read = readSync(this.#fd, bytes, 0, WAL_HEADER_BYTES, 0);
    const header = read === WAL_HEADER_BYTES ? parseWalHeader(bytes) : undefined;
    return header ? { header, bytes } : undefined;
  }

  #replaced(): boolean {
    try {
      return statSync(this.path).ino !== this.#inode;
    } catch {
      return true;
    }
  }
}
