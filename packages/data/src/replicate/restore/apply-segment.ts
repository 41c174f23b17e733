import type { ChunkThreads } from "../codec/chunk-threads.js";
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
import type { HeldPages } from "./held-pages.js";

/** Where the chain stands: the log cycle, the last frame applied and the running checksum after it. */
export interface ChainPosition {
  salt1: number;
  salt2: number;
  frame: number;
  checksum: WalChecksum;
}

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
 * lists, and hands each page to `held` (which writes the newest version of
 * each page into the database being rebuilt), up to the last commit at or
 * before `until`. Returns the new position, the database size after the
 * last commit applied, and the commits applied (with the time of the last
 * one).
 *
 * @example
 * const next = await applySegment(object, { held, position: chain, pageSize, until: Infinity, name: "segment 4" });
 */
export async function applySegment(
  object: OpenedObject<SegmentMeta>,
  options: {
    held: HeldPages;
    position: ChainPosition | null;
    pageSize: number;
    until: number;
    name: string;
    threads?: ChunkThreads | undefined;
  },
): Promise<{ position: ChainPosition; pages: number; commits: number; lastCommitAt: number | undefined }> {
  const { held, position, pageSize, until, name } = options;
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
  let frame = wal.firstFrame;
  let rest: Buffer = Buffer.alloc(0);
  let pages = 0;
  /** Checks the frame at `offset` of `data` and holds its page. */
  const apply = (data: Buffer, offset: number) => {
    const sum = checkFrame(data, offset, pageSize, wal, checksum);
    if (!sum) throw corrupt(name, `has a frame ${frame} that fails SQLite's WAL checksum`);
    checksum = sum;
    const header = readFrameHeader(data, offset);
    if ((expectedCommits.get(frame) ?? 0) !== header.commitPages) {
      throw corrupt(name, `has a frame ${frame} whose commit does not match its header's list`);
    }
    if (header.commitPages > 0) pages = header.commitPages;
    held.put(header.pageNumber, data, offset + FRAME_HEADER_BYTES);
    frame++;
  };
  for await (const chunk of object.chunks({ threads: options.threads })) {
    let offset = 0;
    if (rest.length > 0) {
      // A frame across two chunks: only it is copied (into a fresh, word-aligned buffer for the checksum).
      const need = frameBytes - rest.length;
      if (chunk.length < need) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      apply(Buffer.concat([rest, chunk.subarray(0, need)], frameBytes), 0);
      offset = need;
      rest = Buffer.alloc(0);
    }
    while (chunk.length - offset >= frameBytes && frame <= lastApplied) {
      apply(chunk, offset);
      offset += frameBytes;
    }
    if (frame > lastApplied) break;
    rest = Buffer.from(chunk.subarray(offset));
    if (held.full) await held.flush();
  }
  if (frame <= lastApplied)
    throw corrupt(name, `ends at frame ${frame - 1}, before frame ${lastApplied} its header lists`);
  if (lastApplied === wal.lastFrame && !same(checksum, wal.checksumAfter)) {
    throw corrupt(name, "does not end with the checksum its header records");
  }
  await object.close();
  const applied = cut ? commits.indexOf(cut) + 1 : 0;
  return {
    position: { salt1: wal.salt1, salt2: wal.salt2, frame: lastApplied, checksum },
    pages,
    commits: applied,
    lastCommitAt: cut?.[2],
  };
}
