import { closeSync, openSync, writeSync } from "node:fs";
import type { WalChecksum, WalHeader } from "../wal/wal-format.js";
import type { WalCommit, WalPosition } from "../wal/wal-scan.js";

/** What a segment says about the frames it holds (its header's `meta`). */
export interface SegmentMeta {
  wal: {
    salt1: number;
    salt2: number;
    bigEndian: boolean;
    pageSize: number;
    /** First and last frame numbers in the log cycle; the last one is a commit. */
    firstFrame: number;
    lastFrame: number;
    /** The log's running checksum before the first frame and after the last one. */
    checksumBefore: WalChecksum;
    checksumAfter: WalChecksum;
    /** The log's 32-byte header (hex) when this segment starts a cycle (`firstFrame` 1). */
    header?: string;
  };
  /** Each transaction: its commit frame, the database size in pages after it, and when the replicator saw it (epoch ms). */
  commits: [frame: number, pages: number, at: number][];
}

/** Frames cut into a segment, not yet encoded: in memory, or in a spill file for a large transaction. */
export interface PendingSegment {
  meta: SegmentMeta;
  frames: Buffer[] | { file: string };
  bytes: number;
}

/** In-memory frames above this go to a spill file (one transaction larger than a segment's usual size). */
const SPILL_BYTES = 64 * 1024 * 1024;

/**
 * Collects committed frames as the follower reads them and cuts them into
 * segments: at the replicator's interval, and whenever the log starts a new
 * cycle (a segment never spans two). Frames always arrive up to a commit,
 * so any cut ends at a transaction's end.
 *
 * @example
 * builder.start(header, undefined, follower.position);
 * // ... follower.observe({ cycle: ..., frames: (b, last) => builder.frames(b, last), commits: ... }) ...
 * const segments = builder.cut();
 */
export class SegmentBuilder {
  readonly #spillPath: () => string;
  #ready: PendingSegment[] = [];
  #wal: Omit<SegmentMeta["wal"], "lastFrame" | "checksumAfter"> | undefined;
  #last: WalPosition | undefined;
  #commits: SegmentMeta["commits"] = [];
  #frames: Buffer[] = [];
  #bytes = 0;
  #spill: { file: string; fd: number } | undefined;
  /** Send new frames to a spill file at once (segments already wait for compression: memory stays bounded). */
  spillAll = false;

  /** `spillPath` gives a fresh file path for a transaction too large to hold in memory. */
  constructor(spillPath: () => string) {
    this.#spillPath = spillPath;
  }

  /** Bytes of frames collected and not yet cut. */
  get bytes(): number {
    return this.#bytes + this.#ready.reduce((n, s) => n + s.bytes, 0);
  }

  /** Starts collecting the frames after `position` of the log cycle `header` (with its raw bytes when at its start). */
  start(header: WalHeader, headerBytes: Buffer | undefined, position: WalPosition): void {
    this.#seal();
    this.#wal = {
      salt1: header.salt1,
      salt2: header.salt2,
      bigEndian: header.bigEndian,
      pageSize: header.pageSize,
      firstFrame: position.frame + 1,
      checksumBefore: position.checksum,
      ...(position.frame === 0 && headerBytes ? { header: headerBytes.toString("hex") } : {}),
    };
    this.#last = position;
  }

  /** Frames read from the log, up to `last` (kept as given: the reader hands over buffers it does not reuse). */
  frames(bytes: Buffer, last: WalPosition): void {
    if (this.#spill) {
      writeSync(this.#spill.fd, bytes);
    } else {
      this.#frames.push(bytes);
      if (this.spillAll || this.#bytes + bytes.length > SPILL_BYTES) this.#toSpill();
    }
    this.#bytes += bytes.length;
    this.#last = last;
  }

  /** The commits of the frames just handed in, seen at `at` (epoch ms). */
  commits(commits: WalCommit[], at: number): void {
    for (const c of commits) this.#commits.push([c.frame, c.pages, at]);
  }

  /** Everything collected so far, as segments in log order (none when nothing was committed). */
  cut(): PendingSegment[] {
    this.#seal();
    const ready = this.#ready;
    this.#ready = [];
    return ready;
  }

  /** Forgets everything collected (a new generation starts from a snapshot instead). */
  discard(): PendingSegment[] {
    this.#seal();
    const dropped = this.#ready;
    this.#ready = [];
    this.#wal = undefined;
    return dropped;
  }

  #seal(): void {
    const wal = this.#wal;
    const last = this.#last;
    if (!wal || !last || this.#commits.length === 0) return;
    const frames = this.#spill ? { file: this.#spill.file } : this.#frames;
    if (this.#spill) closeSync(this.#spill.fd);
    this.#ready.push({
      meta: { wal: { ...wal, lastFrame: last.frame, checksumAfter: last.checksum }, commits: this.#commits },
      frames,
      bytes: this.#bytes,
    });
    // The next segment continues the same cycle right after this one.
    const { header: _header, ...rest } = wal;
    this.#wal = { ...rest, firstFrame: last.frame + 1, checksumBefore: last.checksum };
    this.#commits = [];
    this.#frames = [];
    this.#bytes = 0;
    this.#spill = undefined;
  }

  #toSpill(): void {
    const file = this.#spillPath();
    const fd = openSync(file, "wx");
    for (const frame of this.#frames) writeSync(fd, frame);
    this.#frames = [];
    this.#spill = { file, fd };
  }
}
