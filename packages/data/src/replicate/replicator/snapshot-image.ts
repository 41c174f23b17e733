import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import { ByteReader } from "../codec/byte-reader.js";
import type { IndexedFrame, WalFollower } from "../wal/wal-follower.js";
import { FRAME_HEADER_BYTES, frameOffset, readFrameHeader, type WalHeader } from "../wal/wal-format.js";
import type { SnapshotMeta } from "./snapshot-meta.js";

/** Pages read per step. */
const STEP_PAGES_BYTES = 1024 * 1024;

/**
 * The child's program: writes the first LENGTH bytes of FILE to stdout, zeros where the file is shorter
 * (pages beyond its end come from the log).
 */
const READ_FILE = `
const fs = require("node:fs");
const [file, lengthText] = process.argv.slice(1);
const length = Number(lengthText);
const fd = fs.openSync(file, "r");
let offset = 0;
const next = () => {
  if (offset >= length) return fs.closeSync(fd);
  const want = Math.min(1 << 20, length - offset);
  // A new buffer each time: a pipe write may still hold the previous one.
  const buffer = Buffer.alloc(want);
  fs.readSync(fd, buffer, 0, want, offset);
  offset += want;
  if (process.stdout.write(buffer)) next();
  else process.stdout.once("drain", next);
};
next();
`;

/** Thrown when a frame the snapshot needs is no longer in the log: the snapshot is abandoned and taken again later. */
export class SnapshotMoved extends Error {}

/** Where the log stood when the snapshot's point was fixed. */
export interface SnapshotSource {
  db: string;
  wal: string;
  /** The log cycle and its newest frame per page up to the snapshot's point; absent when the log is empty. */
  header: WalHeader | undefined;
  index: ReadonlyMap<number, IndexedFrame>;
  /** Database size in pages at that point; 0 when no transaction of the cycle is involved (the file's size then). */
  pages: number;
  pageSize: number;
}

/**
 * The snapshot's point: what the follower has read up to now (all of it
 * cut into segments before), as a source to read and the snapshot's
 * description. The page index is copied: the follower moves on meanwhile.
 *
 * @example
 * const { source, meta } = snapshotPoint(follower, { db, pageSize, at: clock.now(), backfilled: false });
 */
export function snapshotPoint(
  follower: WalFollower,
  options: { db: string; pageSize: number; at: number; backfilled: boolean },
): { source: SnapshotSource; meta: SnapshotMeta } {
  const { db, pageSize } = options;
  // A log emptied since its last frame was read, or one whose frames up to the point are all copied into the
  // database (a checkpoint said so just before): the database file alone is the database at the point.
  const header = follower.ended || options.backfilled ? undefined : follower.header;
  const source: SnapshotSource = {
    db,
    wal: `${db}-wal`,
    header,
    index: header ? new Map(follower.index) : new Map(),
    pages: follower.pages > 0 ? follower.pages : Math.floor(statSync(db).size / pageSize),
    pageSize,
  };
  const cycle = follower.header;
  const { frame, checksum } = follower.position;
  const meta: SnapshotMeta = {
    pageSize,
    pages: source.pages,
    at: options.at,
    wal: cycle ? { salt1: cycle.salt1, salt2: cycle.salt2, frame, checksum } : null,
  };
  return { source, meta };
}

/**
 * The database as of the snapshot's point, read while the replicator holds
 * the read transaction it had when that point was fixed: the database file,
 * with each page that has a frame in the log (up to the point) taken from
 * its newest such frame. That is consistent while the application keeps
 * writing and checkpointing: a checkpoint only copies frames up to the
 * oldest reader's snapshot, which is at or before the point, so a page
 * without a frame is never rewritten meanwhile, and one with a frame is
 * read from the log. Each frame read is checked (salts, page, stored
 * checksum); one that changed raises {@link SnapshotMoved}.
 *
 * @example
 * await encodeObject({ ..., source: snapshotImage(source) });
 */
export async function* snapshotImage(source: SnapshotSource): AsyncGenerator<Buffer> {
  const wal = source.header ? await open(source.wal, "r") : undefined;
  const { pageSize } = source;
  const pages = source.pages;
  // The database file is read by a child process: closing a descriptor of it here would drop this
  // process's POSIX locks on it, SQLite's included (the lock that tells another process it is not the
  // last connection). The log file holds no such lock and is read here.
  const reader = spawn(process.execPath, ["-e", READ_FILE, source.db, String(pages * pageSize)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  reader.stderr.on("data", (chunk) => {
    stderr += String(chunk);
  });
  // "exit", not "close": a reader stopped early leaves data in the pipe, and "close" would wait for it forever.
  const exited = new Promise<number | null>((resolve) => reader.once("exit", (code) => resolve(code)));
  const bytes = new ByteReader(reader.stdout);
  try {
    const perStep = Math.max(1, Math.floor(STEP_PAGES_BYTES / pageSize));
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + pageSize);
    for (let first = 1; first <= pages; first += perStep) {
      const count = Math.min(perStep, pages - first + 1);
      const chunk = Buffer.alloc(count * pageSize);
      (await bytes.take(chunk.length)).copy(chunk);
      for (let page = first; page < first + count; page++) {
        const newest = source.index.get(page);
        if (!newest || !wal || !source.header) continue;
        const header = source.header;
        const { bytesRead } = await wal.read(frame, 0, frame.length, frameOffset(newest.frame, pageSize));
        const f = readFrameHeader(frame, 0);
        if (
          bytesRead < frame.length ||
          f.pageNumber !== page ||
          f.salt1 !== header.salt1 ||
          f.salt2 !== header.salt2 ||
          f.checksum[0] !== newest.checksum[0] ||
          f.checksum[1] !== newest.checksum[1]
        ) {
          throw new SnapshotMoved(`frame ${newest.frame} of the log changed while the snapshot read it`);
        }
        frame.copy(chunk, (page - first) * pageSize, FRAME_HEADER_BYTES);
      }
      yield chunk;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`reading ${source.db} failed: ${stderr.trim() || `exit ${code}`}`);
  } finally {
    reader.kill();
    await bytes.close();
    reader.stderr.destroy();
    await exited;
    await wal?.close();
  }
}
