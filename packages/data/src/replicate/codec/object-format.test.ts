import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { swapFirstChunks } from "../../../test/support/object-fixtures.js";
import { REPLICA_ERRORS } from "../errors.js";
import { COMPRESSIONS } from "./compression.js";
import { openObject } from "./decode-object.js";
import { encodeObject } from "./encode-object.js";
import { KEPT_AS_IS, MAGIC, ObjectSeal, RECORD_HEAD_BYTES, TAG_BYTES } from "./object-format.js";

async function encode(
  payload: Buffer,
  key?: Buffer,
  compression: (typeof COMPRESSIONS)[number] = "deflate",
  inline = false,
) {
  const parts: Buffer[] = [];
  await encodeObject({
    inline,
    kind: "segment",
    generation: "20261129T071500000Z-3fa2c1",
    seq: 7,
    meta: { note: "meta" },
    compression,
    key,
    source: [payload.subarray(0, 1000), payload.subarray(1000)],
    write: (bytes) => void parts.push(bytes),
  });
  return Buffer.concat(parts);
}

async function decode(stored: Buffer, key?: Buffer): Promise<Buffer> {
  const object = await openObject([stored], { key, name: "segment 7" });
  const out: Buffer[] = [];
  for await (const chunk of object.chunks()) out.push(chunk);
  return Buffer.concat(out);
}

describe("replica object format", () => {
  for (const compression of COMPRESSIONS) {
    for (const encrypted of [false, true]) {
      it(`round-trips with ${compression}${encrypted ? " and AES-256-GCM" : ""}`, async () => {
        const key = encrypted ? randomBytes(32) : undefined;
        // Chunks that compress, one half and half, and a last one of random bytes that is kept as is.
        const payload = Buffer.concat([Buffer.alloc(2_500_000, 3), randomBytes(1_400_000)]);
        const stored = await encode(payload, key, compression);
        assert.ok((await decode(stored, key)).equals(payload));
        const object = await openObject<{ note: string }>([stored], { key, name: "x" });
        assert.equal(object.header.meta.note, "meta");
        assert.equal(object.header.encryption?.scheme ?? null, encrypted ? "aes-256-gcm" : null);
        await object.close();
      });
    }
  }

  it("compresses in the calling thread (a worker's way) to the same payload", async () => {
    for (const compression of COMPRESSIONS) {
      const key = randomBytes(32);
      const payload = Buffer.concat([Buffer.alloc(2_500_000, 5), randomBytes(200_000)]);
      assert.ok((await decode(await encode(payload, key, compression, true), key)).equals(payload), compression);
    }
  });

  it("refuses every changed byte, every cut, and chunks in another order", async () => {
    for (const key of [undefined, randomBytes(32)]) {
      const stored = await encode(randomBytes(3000), key, "none");
      for (let i = 0; i < stored.length; i += 7) {
        const bad = Buffer.from(stored);
        bad[i] = (bad[i] as number) ^ 0x40;
        await assert.rejects(decode(bad, key), (e) => isNinesError(e), `byte ${i} changed`);
      }
      for (let cut = 0; cut < stored.length; cut += 11) {
        await assert.rejects(
          decode(stored.subarray(0, cut), key),
          (e) => isNinesError(e, REPLICA_ERRORS.corrupt),
          `cut at ${cut}`,
        );
      }
      await assert.rejects(decode(Buffer.concat([stored, Buffer.from("x")]), key), (e) =>
        isNinesError(e, REPLICA_ERRORS.corrupt),
      );
    }
    // Two chunks swapped: each is whole, but out of place.
    const payload = Buffer.concat([Buffer.alloc(1024 * 1024, 1), Buffer.alloc(1024 * 1024, 2), Buffer.alloc(10, 3)]);
    const stored = await encode(payload, undefined, "none");
    const swapped = swapFirstChunks(stored);
    await assert.rejects(decode(swapped), (e) => isNinesError(e, REPLICA_ERRORS.corrupt));
  });

  it("tells a missing key and a wrong key apart from damage", async () => {
    const key = randomBytes(32);
    const stored = await encode(randomBytes(100), key);
    await assert.rejects(decode(stored), (e) => isNinesError(e, REPLICA_ERRORS.keyMissing));
    await assert.rejects(decode(stored, randomBytes(32)), (e) => isNinesError(e, REPLICA_ERRORS.keyWrong));
    assert.equal((await decode(stored, key)).length, 100);
  });

  it("keeps a chunk that compression would not shrink as is, marked and sealed as such", async () => {
    const random = randomBytes(1024 * 1024);
    const payload = Buffer.concat([Buffer.alloc(1024 * 1024, 7), random]);
    for (const compression of ["deflate", "brotli"] as const) {
      for (const key of [undefined, randomBytes(32)]) {
        const stored = await encode(payload, key, compression);
        const records = chunkRecords(stored);
        assert.equal(records.length, 2);
        assert.ok((records[0]?.storedField as number) < 64 * 1024, "the compressible chunk is compressed");
        assert.equal(records[1]?.storedField, KEPT_AS_IS + random.length, "the random chunk is kept as is");
        if (!key) assert.ok(stored.subarray(records[1]?.at, (records[1]?.at as number) + random.length).equals(random));
        assert.ok((await decode(stored, key)).equals(payload), `${compression}${key ? " encrypted" : ""}`);
        // The mark is sealed: taken off the kept chunk, or put on the compressed one, the object is refused.
        for (const record of records) {
          const bad = Buffer.from(stored);
          bad.writeUInt32BE((record.storedField ^ KEPT_AS_IS) >>> 0, record.at - 4);
          await assert.rejects(decode(bad, key), (e) => isNinesError(e, REPLICA_ERRORS.corrupt));
        }
      }
    }
  });

  it("still reads format 1 objects, where the stored length has no mark", async () => {
    const plain = Buffer.alloc(5000, 9);
    const seal = ObjectSeal.forWriting(
      { format: 1, kind: "segment", generation: "g", seq: 1, compression: "none", chunkBytes: 1024 * 1024, meta: {} },
      undefined,
    );
    const stored = Buffer.concat([seal.headerBytes, seal.record(0, plain, plain.length), seal.end(1)]);
    assert.ok((await decode(stored)).equals(plain));
    // The top bit means nothing in format 1: such a length is impossible there.
    const marked = Buffer.from(stored);
    marked.writeUInt32BE(KEPT_AS_IS + plain.length, seal.headerBytes.length + 4);
    await assert.rejects(decode(marked), (e) => isNinesError(e, REPLICA_ERRORS.corrupt));
  });
});

/** Each chunk record's stored-length field and where its stored bytes start. */
function chunkRecords(stored: Buffer): { storedField: number; at: number }[] {
  let at = MAGIC.length + 4 + stored.readUInt32BE(MAGIC.length);
  const records: { storedField: number; at: number }[] = [];
  for (;;) {
    const plainBytes = stored.readUInt32BE(at);
    const storedField = stored.readUInt32BE(at + 4);
    if (plainBytes === 0 && storedField === 0) return records;
    records.push({ storedField, at: at + RECORD_HEAD_BYTES });
    at += RECORD_HEAD_BYTES + (storedField >= KEPT_AS_IS ? storedField - KEPT_AS_IS : storedField) + TAG_BYTES;
  }
}
