import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { swapFirstChunks } from "../../../test/support/object-fixtures.js";
import { REPLICA_ERRORS } from "../errors.js";
import { ChunkThreads } from "./chunk-threads.js";
import { COMPRESSIONS, type ReplicaCompression } from "./compression.js";
import { openObject } from "./decode-object.js";
import { encodeObject } from "./encode-object.js";
import { FileReader } from "./file-reader.js";

let dir = "";
let threads: ChunkThreads;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "nines-chunk-threads-"));
  threads = ChunkThreads.start(2);
});
after(async () => {
  await threads.close();
  rmSync(dir, { recursive: true, force: true });
});

async function encode(payload: Buffer, key: Buffer | undefined, compression: ReplicaCompression): Promise<Buffer> {
  const parts: Buffer[] = [];
  await encodeObject({
    kind: "snapshot",
    generation: "20261129T071500000Z-3fa2c1",
    seq: 3,
    meta: {},
    compression,
    key,
    source: [payload],
    write: (bytes) => void parts.push(bytes),
  });
  return Buffer.concat(parts);
}

/** How a restore reads an object: from a stream or from a local file, its chunks handed out or written to a file. */
type Way = "stream-chunks" | "stream-write" | "file-chunks" | "file-write";
const WAYS: Way[] = ["stream-chunks", "stream-write", "file-chunks", "file-write"];
let n = 0;

async function decode(stored: Buffer, key: Buffer | undefined, way: Way): Promise<Buffer> {
  const source = join(dir, `object-${n++}`);
  let reader: FileReader | undefined;
  if (way.startsWith("file")) {
    writeFileSync(source, stored);
    const handle = await open(source, "r");
    reader = new FileReader(handle, stored.length);
  }
  try {
    const object = await openObject(reader ?? [stored], { key, name: "snapshot 3" });
    if (way.endsWith("chunks")) {
      const out: Buffer[] = [];
      for await (const chunk of object.chunks({ threads })) out.push(chunk);
      return Buffer.concat(out);
    }
    const target = join(dir, `restored-${n++}`);
    const handle = await open(target, "w");
    try {
      const length = await object.writeTo(handle.fd, { maxBytes: 64 * 1024 * 1024, threads });
      return readFileSync(target).subarray(0, length);
    } finally {
      await handle.close();
      rmSync(target, { force: true });
    }
  } finally {
    await reader?.close();
    rmSync(source, { force: true });
  }
}

describe("chunks opened by worker threads", () => {
  for (const compression of COMPRESSIONS) {
    for (const encrypted of [false, true]) {
      it(`round-trips with ${compression}${encrypted ? " and AES-256-GCM" : ""}, every way`, async () => {
        const key = encrypted ? randomBytes(32) : undefined;
        // Chunks that compress, one half and half, and a last one of random bytes that is kept as is.
        const payload = Buffer.concat([Buffer.alloc(2_500_000, 3), randomBytes(1_400_000)]);
        const stored = await encode(payload, key, compression);
        for (const way of WAYS) assert.ok((await decode(stored, key, way)).equals(payload), way);
      });
    }
  }

  it("refuses every changed byte, every cut, and chunks in another order, every way", async () => {
    for (const key of [undefined, randomBytes(32)]) {
      const stored = await encode(randomBytes(3000), key, "none");
      for (const way of WAYS) {
        for (let i = 0; i < stored.length; i += 29) {
          const bad = Buffer.from(stored);
          bad[i] = (bad[i] as number) ^ 0x40;
          await assert.rejects(decode(bad, key, way), (e) => isNinesError(e), `${way}: byte ${i} changed`);
        }
        for (let cut = 0; cut < stored.length; cut += 31) {
          await assert.rejects(
            decode(stored.subarray(0, cut), key, way),
            (e) => isNinesError(e, REPLICA_ERRORS.corrupt),
            `${way}: cut at ${cut}`,
          );
        }
        await assert.rejects(decode(Buffer.concat([stored, Buffer.from("x")]), key, way), (e) =>
          isNinesError(e, REPLICA_ERRORS.corrupt),
        );
      }
    }
    const payload = Buffer.concat([Buffer.alloc(1024 * 1024, 1), Buffer.alloc(1024 * 1024, 2), Buffer.alloc(10, 3)]);
    const stored = await encode(payload, undefined, "none");
    const swapped = swapFirstChunks(stored);
    for (const way of WAYS) {
      await assert.rejects(decode(swapped, undefined, way), (e) => isNinesError(e, REPLICA_ERRORS.corrupt), way);
    }
  });

  it("refuses a payload longer than the file it is written to may be", async () => {
    const stored = await encode(randomBytes(3 * 1024 * 1024), undefined, "deflate");
    const object = await openObject([stored], { name: "snapshot 3" });
    const handle = await open(join(dir, "short"), "w");
    try {
      await assert.rejects(
        object.writeTo(handle.fd, { maxBytes: 2 * 1024 * 1024, threads }),
        (e) =>
          isNinesError(e, REPLICA_ERRORS.corrupt) && /holds more than the 2097152 bytes/.test((e as Error).message),
      );
    } finally {
      await handle.close();
    }
  });

  it("lays newer pages over a payload as it writes it, and gives back those it could not", async () => {
    const payload = randomBytes(3 * 1024 * 1024 + 5 * 4096);
    const stored = await encode(payload, undefined, "deflate");
    // 4096-byte pages fit the 1 MiB chunks; 3000-byte ones (not a SQLite size) cross them now and then.
    for (const pageSize of [4096, 3000]) {
      const count = Math.floor(payload.length / pageSize);
      const numbers = [1, 2, 255, 256, 257, 350, 512, 700, count - 1, count, count + 1, count + 40];
      const pages = numbers.map((n) => [n, Buffer.alloc(pageSize, n & 0xff)] as [number, Buffer]);
      const expected = Buffer.from(payload);
      // Every page ends up written, over the payload or past it (a database that grew after its snapshot).
      for (const [n, bytes] of pages) if ((n - 1) * pageSize < payload.length) bytes.copy(expected, (n - 1) * pageSize);
      for (const withThreads of [undefined, threads]) {
        for (const fromFile of [false, true]) {
          const source = join(dir, `overlay-source-${n++}`);
          writeFileSync(source, stored);
          const input = await open(source, "r");
          const object = await openObject(fromFile ? new FileReader(input, stored.length) : [stored], { name: "x" });
          const target = join(dir, `overlay-${n++}`);
          const output = await open(target, "w");
          const overlay = { pageSize, pages, left: [] as [number, Buffer][] };
          try {
            await object.writeTo(output.fd, { maxBytes: payload.length, threads: withThreads, overlay });
            // What it gave back, written as a restore writes it.
            for (const [page, bytes] of overlay.left) await output.write(bytes, 0, pageSize, (page - 1) * pageSize);
          } finally {
            await output.close();
            await input.close().catch(() => undefined);
          }
          const written = readFileSync(target).subarray(0, payload.length);
          const way = `page size ${pageSize}, threads ${Boolean(withThreads)}, file ${fromFile}`;
          assert.ok(written.equals(expected), way);
          const left = overlay.left.map(([page]) => page);
          assert.ok(left.includes(count + 1) && left.includes(count + 40), `${way}: past the end, given back`);
          if (pageSize === 4096) assert.deepEqual(left, [count + 1, count + 40], way);
          else assert.deepEqual(left, [350, 700, count + 1, count + 40], `${way}: and the pages across two chunks`);
          rmSync(target);
          rmSync(source);
        }
      }
    }
  });
});
