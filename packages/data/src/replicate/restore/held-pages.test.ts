import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { ChunkThreads } from "../codec/chunk-threads.js";
import { HeldPages } from "./held-pages.js";

const PAGE = 512;
let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "nines-held-pages-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Replays `rounds` decoded chunks of random page versions (some pages
 * rewritten many times, runs of adjacent pages, single pages) through
 * HeldPages into a file, and returns the file and what it must hold.
 */
async function replay(threads: ChunkThreads | undefined, limitBytes: number) {
  const random = new SeededRandom(7);
  const pages = 300;
  const expected = Buffer.alloc(pages * PAGE);
  const file = join(dir, `db-${threads ? "threads" : "caller"}-${limitBytes}`);
  const handle = await open(file, "w");
  const held = new HeldPages(handle.fd, PAGE, { limitBytes, threads });
  let flushes = 0;
  let last = 0;
  try {
    for (let round = 0; round < 40; round++) {
      // A decoded chunk: frames of 24-byte headers and pages, as the log holds them.
      const count = random.int(1, 30);
      const chunk = Buffer.alloc(count * (24 + PAGE));
      const start = random.int(1, pages - count);
      for (let i = 0; i < count; i++) {
        const page = i % 3 === 0 ? random.int(1, 5) : start + i;
        const at = i * (24 + PAGE) + 24;
        chunk.fill((round * 31 + i) & 0xff, at, at + PAGE);
        chunk.writeUInt32BE(page, at);
        held.put(page, chunk, at);
        last = Math.max(last, page);
        chunk.copy(expected, (page - 1) * PAGE, at, at + PAGE);
      }
      if (held.full) {
        await held.flush();
        flushes++;
      }
    }
    await held.flush();
  } finally {
    await handle.close();
  }
  const written = readFileSync(file);
  rmSync(file);
  return { written, expected: expected.subarray(0, last * PAGE), flushes };
}

describe("HeldPages", () => {
  it("writes the newest version of every page, in the caller's thread and on threads, however often it flushes", async () => {
    const threads = ChunkThreads.start(2);
    try {
      for (const limitBytes of [1, 64 * 1024, 1024 * 1024 * 1024]) {
        const alone = await replay(undefined, limitBytes);
        const shared = await replay(threads, limitBytes);
        for (const result of [alone, shared]) {
          assert.equal(result.written.length, result.expected.length);
          assert.ok(result.written.equals(result.expected), `limit ${limitBytes}`);
        }
        if (limitBytes === 1) assert.equal(alone.flushes, 40, "a tiny limit flushes after every chunk");
        if (limitBytes > 1024 * 1024) assert.equal(alone.flushes, 0, "a large one only at the end");
      }
    } finally {
      await threads.close();
    }
  });
});
