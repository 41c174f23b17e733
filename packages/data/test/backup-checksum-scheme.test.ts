import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, SeededRandom, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import { checksumHasher, fileBlockChecksum } from "../src/backup/block-checksum.js";
import { createBackup } from "../src/backup/create-backup.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { followBlockChecksum } from "../src/backup/follow-block-checksum.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { snapshotInThread } from "../src/dialect/sqlite/sqlite-snapshot-thread.js";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "nines-backup-checksum-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A WAL-mode database of about `mb` MB. */
function makeDb(file: string, mb: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, payload BLOB)");
  const insert = db.prepare("INSERT INTO orders (payload) VALUES (randomblob(1000))");
  db.transaction(() => {
    for (let i = 0; i < mb * 1000; i++) insert.run();
  })();
  db.close();
}

describe("block checksums", () => {
  it("hashes each block once the file has grown past it, while the writer is still writing", async () => {
    const dir = mkdtempSync(join(root, "ascending-"));
    const file = join(dir, "copy.sqlite");
    const blockBytes = 64 * 1024;
    const blocks = 6;
    const data = Buffer.alloc(blocks * blockBytes + 100);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) % 251;
    // No timing: the writer waits until the follower reports a block hashed before it writes on.
    let hashed = 0;
    const waiters: { bytes: number; resolve: () => void }[] = [];
    const follow = followBlockChecksum(file, {
      clock: systemClock,
      blockBytes,
      pollMs: 1,
      onBytes: (done) => {
        hashed = done;
        for (const w of waiters.filter((w) => w.bytes <= done)) w.resolve();
      },
    });
    const hashedTo = (bytes: number) =>
      hashed >= bytes ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ bytes, resolve }));
    const out = await open(file, "w");
    try {
      // As SQLite's backup API writes a fresh file: blocks in ascending order, the first (the header) last.
      for (let k = 1; k <= blocks; k++) {
        const end = Math.min(data.length, (k + 1) * blockBytes);
        await out.write(data, k * blockBytes, end - k * blockBytes, k * blockBytes);
        // Writing into block k completes block k - 1: it is hashed before block k + 1 is written.
        if (k >= 2) await hashedTo((k - 1) * blockBytes);
        assert.ok(hashed >= (k - 1) * blockBytes);
      }
      await out.write(data, 0, blockBytes, 0);
    } finally {
      await out.close();
    }
    assert.equal(hashed, (blocks - 1) * blockBytes, "blocks 1 to 5 were hashed during the writing");
    const sum = await follow.finish();
    assert.deepEqual(sum, await fileBlockChecksum(file, { blockBytes }));
  });

  it("a block changed after it was followed gives a value the final file fails, never a wrong acceptance", async () => {
    const dir = mkdtempSync(join(root, "rewrite-"));
    const file = join(dir, "copy.sqlite");
    const blockBytes = 64 * 1024;
    let hashed = 0;
    let onHashed: (() => void) | undefined;
    const follow = followBlockChecksum(file, {
      clock: systemClock,
      blockBytes,
      pollMs: 1,
      onBytes: (done) => {
        hashed = done;
        onHashed?.();
      },
    });
    const out = await open(file, "w");
    try {
      await out.write(Buffer.alloc(3 * blockBytes, 1), 0, 3 * blockBytes, blockBytes);
      while (hashed < 2 * blockBytes) await new Promise<void>((resolve) => (onHashed = resolve));
      await out.write(Buffer.from([9]), 0, 1, blockBytes + 5); // block 1 changes after it was hashed
      await out.write(Buffer.alloc(blockBytes, 2), 0, blockBytes, 0);
    } finally {
      await out.close();
    }
    const followed = await follow.finish();
    const final = await fileBlockChecksum(file, { blockBytes });
    assert.notEqual(followed.checksum.value, final.checksum.value);
    const h = checksumHasher(followed.checksum);
    h.update(readFileSync(file));
    assert.notEqual(h.digest(), followed.checksum.value, "a restore would refuse this backup");
  });

  it("hashes a SQLite backup while it is written, under concurrent writes, to the final file's value", async () => {
    const dir = mkdtempSync(join(root, "follow-"));
    const source = join(dir, "app.db");
    makeDb(source, 8);
    const writer = new Database(source);
    const insert = writer.prepare("INSERT INTO orders (payload) VALUES (randomblob(1000))");
    // Writes keep landing in the WAL while the copy runs (the copy reads one snapshot).
    const busy = setInterval(() => {
      for (let i = 0; i < 20; i++) insert.run();
    }, 1);
    try {
      const file = join(dir, "copy.sqlite");
      const follow = followBlockChecksum(file, { clock: systemClock, blockBytes: 64 * 1024, pollMs: 0 });
      let sum: Awaited<ReturnType<typeof follow.finish>> | undefined;
      const snap = await snapshotInThread({
        source,
        file,
        method: "backup-api",
        totalBytes: 1,
        clock: systemClock,
        onCopied: async () => {
          sum = await follow.finish();
        },
      });
      const final = await fileBlockChecksum(file, { blockBytes: 64 * 1024 });
      assert.deepEqual(sum?.checksum, final.checksum);
      assert.equal(sum?.size, final.size);
      const copy = new Database(file, { readonly: true });
      assert.equal((copy.prepare("SELECT COUNT(*) AS n FROM orders").get() as { n: number }).n, snap.rowCounts.orders);
      copy.close();
    } finally {
      clearInterval(busy);
      writer.close();
    }
  });

  it("new backups record the sha256-blocks scheme; a backup with a format-1 whole-file manifest still restores and is checked", async () => {
    const dir = mkdtempSync(join(root, "old-"));
    const source = join(dir, "app.db");
    makeDb(source, 1);
    const target = new LocalDirTarget(join(dir, "backups"));
    const { manifest } = await createBackup({ source, targets: [target], random: new SeededRandom(1) });
    assert.equal(manifest.checksum.scheme, "sha256-blocks");
    await restoreBackup({ from: target, to: join(dir, "new.db") });

    // Rewrite the manifest as format 1 wrote it without a scheme: `sha256`, the whole file's SHA-256.
    const manifestFile = join(target.location, manifest.id, "manifest.json");
    const data = readFileSync(join(target.location, manifest.id, manifest.dataFile));
    const { checksum: _checksum, ...old } = manifest;
    const whole = createHash("sha256").update(data).digest("hex");
    assert.notEqual(whole, manifest.checksum.value, "the two schemes give different values");
    writeFileSync(manifestFile, JSON.stringify({ ...old, format: 1, sha256: whole }));
    const restored = await restoreBackup({ from: target, to: join(dir, "old.db"), id: manifest.id });
    assert.deepEqual(restored.manifest.checksum, { scheme: "sha256", value: whole });

    // The block value under the whole-file scheme is a mismatch: each manifest is checked by its own scheme.
    writeFileSync(manifestFile, JSON.stringify({ ...old, format: 1, sha256: manifest.checksum.value }));
    await assert.rejects(restoreBackup({ from: target, to: join(dir, "bad.db"), id: manifest.id }), (e: unknown) =>
      isNinesError(e, BACKUP_ERRORS.corrupt),
    );
  });
});
