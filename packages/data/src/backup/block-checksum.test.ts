import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { SeededRandom } from "@nines/core";
import { checksumHasher, fileBlockChecksum } from "./block-checksum.js";

function bytes(n: number, seed: number): Buffer {
  const random = new SeededRandom(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = random.int(0, 255);
  return b;
}

/** The scheme written out by hand: SHA-256 over the blocks' SHA-256 digests. */
function byHand(data: Buffer, blockBytes: number): string {
  const outer = createHash("sha256");
  for (let at = 0; at < data.length; at += blockBytes)
    outer.update(
      createHash("sha256")
        .update(data.subarray(at, at + blockBytes))
        .digest(),
    );
  return outer.digest("hex");
}

it("hashes blocks on threads to the same value as the streaming hasher and the definition", async () => {
  const dir = await mkdtemp(join(tmpdir(), "nines-block-checksum-"));
  try {
    for (const [size, blockBytes, threads] of [
      [0, 1024, 2],
      [1000, 1024, 2],
      [1024 * 7, 1024, 3],
      [1024 * 7 + 13, 1024, 2],
      [300_000, 4096, 4],
    ] as const) {
      const data = bytes(size, size + 1);
      const file = join(dir, `f-${size}`);
      await writeFile(file, data);
      let progress = 0;
      const sum = await fileBlockChecksum(file, { blockBytes, threads, onBytes: (d) => (progress = d) });
      assert.equal(sum.size, size);
      assert.equal(progress, size);
      assert.deepEqual(sum.checksum, { scheme: "sha256-blocks", blockBytes, value: byHand(data, blockBytes) });
      // Any chunking, across block boundaries, streams to the same value.
      const h = checksumHasher(sum.checksum);
      for (let at = 0; at < data.length; at += 777) h.update(data.subarray(at, at + 777));
      assert.equal(h.digest(), sum.checksum.value);
      // One flipped byte changes it.
      if (size > 0) {
        data[Math.floor(size / 2)] = (data[Math.floor(size / 2)] ?? 0) ^ 1;
        assert.notEqual(byHand(data, blockBytes), sum.checksum.value);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("the sha256 scheme is the SHA-256 of the whole file (sha256sum)", () => {
  const data = bytes(5000, 9);
  const h = checksumHasher({ scheme: "sha256" });
  h.update(data.subarray(0, 100));
  h.update(data.subarray(100));
  assert.equal(h.digest(), createHash("sha256").update(data).digest("hex"));
});
