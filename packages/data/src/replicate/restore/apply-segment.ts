import { writevSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { OpenedObject } from "../codec/decode-object.js";
import { replicaError } from "../errors.js";
import type { SegmentMeta } from "../replicator/segment-builder.js";
import {
  checkFrame,
  FRAME_HEADER_BYTES,
  parseWalHeader,
  readFrameHeader,
  type WalChecksum,
} from "../wal/wal-format.js";

/** Where the chain stands: the log cycle, the last frame applied and the running checksum after it. */
export interface ChainPosition {
  salt1: number;
  salt2: number;
  frame: number;
  checksum: WalChecksum;
}

/** Pages held before they are written: frames of one segment rewrite the same pages over and over. */
const FLUSH_BYTES = 64 * 1024 * 1024;

function foreign(name: string, why: string) {
  return replicaError("segmentForeign", `${name} ${why}`, {
    hint: "the segment is from another history or was stored out of order; restore a point before it, or from another target",
    details: { object: name },
  });
}

function corrupt(name: string, why: string) {
  return replicaError("corrupt", `${name} ${why}`, {
    hint: "the segment was damaged or altered; restore a point before it, or from another target",
    details: { object: name },
  });
}

function same(a: WalChecksum, b: WalChecksum): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * Checks that a segment continues the chain at `position` (same log cycle
 * and the next frame with the same running checksum, or the first frame of
 * the cycle SQLite starts next), then reads its frames, checking SQLite's
 * own checksum of each one and that its commits are the ones its header
 * lists, and writes each page into the database file being rebuilt, up to
 * the last commit at or before `until`. Returns the new position, the
 * database size after the last commit applied, and the commits applied
 * (with the time of the last one).
 *
 * @example
 * const next = await applySegment(object, file, chain, pageSize, Infinity, "segment 4");
 */
export async function applySegment(
  object: OpenedObject<SegmentMeta>,
  file: FileHandle,
  position: ChainPosition | null,
  pageSize: number,
  until: number,
  name: string,
): Promise<{ position: ChainPosition; pages: number; commits: number; lastCommitAt: number | undefined }> {
  const { wal, commits } = object.header.meta;
  if (wal.pageSize !== pageSize) throw foreign(name, `has pages of ${wal.pageSize} bytes, the snapshot ${pageSize}`);
  let checksum: WalChecksum;
  const continues =
    position !== null &&
    wal.salt1 === position.salt1 &&
    wal.salt2 === position.salt2 &&
    wal.firstFrame === position.frame + 1 &&
    same(wal.checksumBefore, position.checksum);
  if (continues) {
    checksum = wal.checksumBefore;
  } else {
    const header = wal.firstFrame === 1 && wal.header ? parseWalHeader(Buffer.from(wal.header, "hex")) : undefined;
    const startsCycle =
      header !== undefined &&
      header.salt1 === wal.salt1 &&
      header.salt2 === wal.salt2 &&
      header.pageSize === pageSize &&
      same(header.checksum, wal.checksumBefore) &&
      (position === null || header.salt1 === (position.salt1 + 1) >>> 0);
    if (!startsCycle) {
      throw foreign(
        name,
        `does not follow the one before it (it starts at frame ${wal.firstFrame} of log cycle ${wal.salt1.toString(16)}, ` +
          `the chain is at frame ${position?.frame ?? 0} of cycle ${position?.salt1.toString(16) ?? "none"})`,
      );
    }
    checksum = header.checksum;
  }
  const cut = commits.filter(([, , at]) => at <= until).at(-1);
  const lastApplied = cut ? cut[0] : wal.firstFrame - 1;
  const expectedCommits = new Map(commits.map(([frame, pages]) => [frame, pages]));
  const frameBytes = FRAME_HEADER_BYTES + pageSize;
  const held = new Map<number, Buffer>();
  let heldBytes = 0;
  const flush = () => {
    // Synchronous writes into the page cache, in page order, one system call per run of adjacent pages;
    // the caller fsyncs once at the end.
    const pages = [...held.keys()].sort((a, b) => a - b);
    for (let i = 0; i < pages.length; ) {
      let j = i + 1;
      while (j < pages.length && j - i < 256 && pages[j] === (pages[j - 1] as number) + 1) j++;
      const run = pages.slice(i, j).map((page) => (held.get(page) as Buffer).subarray(FRAME_HEADER_BYTES));
      writevSync(file.fd, run, ((pages[i] as number) - 1) * pageSize);
      i = j;
    }
    held.clear();
    heldBytes = 0;
  };
  let frame = wal.firstFrame;
  let rest: Buffer = Buffer.alloc(0);
  let pages = 0;
  for await (const chunk of object.chunks()) {
    // A fresh allocation when needed: word-aligned frames let the checksum read whole words.
    const data: Buffer =
      rest.length > 0 || (chunk.byteOffset & 3) !== 0
        ? Buffer.concat([rest, chunk], rest.length + chunk.length)
        : chunk;
    let offset = 0;
    while (data.length - offset >= frameBytes && frame <= lastApplied) {
      const sum = checkFrame(data, offset, pageSize, wal, checksum);
      if (!sum) throw corrupt(name, `has a frame ${frame} that fails SQLite's WAL checksum`);
      checksum = sum;
      const header = readFrameHeader(data, offset);
      if ((expectedCommits.get(frame) ?? 0) !== header.commitPages) {
        throw corrupt(name, `has a frame ${frame} whose commit does not match its header's list`);
      }
      if (header.commitPages > 0) pages = header.commitPages;
      const bytes = data.subarray(offset, offset + frameBytes);
      if (!held.has(header.pageNumber)) heldBytes += frameBytes;
      held.set(header.pageNumber, bytes);
      offset += frameBytes;
      frame++;
    }
    if (frame > lastApplied) break;
    rest = data.subarray(offset);
    if (heldBytes >= FLUSH_BYTES) flush();
  }
  if (frame <= lastApplied)
    throw corrupt(name, `ends at frame ${frame - 1}, before frame ${lastApplied} its header lists`);
  if (lastApplied === wal.lastFrame && !same(checksum, wal.checksumAfter)) {
    throw corrupt(name, "does not end with the checksum its header records");
  }
  flush();
  await object.close();
  const applied = cut ? commits.indexOf(cut) + 1 : 0;
  return {
    position: { salt1: wal.salt1, salt2: wal.salt2, frame: lastApplied, checksum },
    pages,
    commits: applied,
    lastCommitAt: cut?.[2],
  };
}
