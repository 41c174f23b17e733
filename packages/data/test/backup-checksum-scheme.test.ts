import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, SeededRandom, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import { fileBlockChecksum } from "../src/backup/block-checksum.js";
import { createBackup } from "../src/backup/create-backup.js";
import { SqliteEngine } from "../src/backup/engines/sqlite-engine.js";
import { snapshotInThread } from "../src/backup/engines/sqlite-snapshot-thread.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { followBlockChecksum } from "../src/backup/follow-block-checksum.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";

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
      let followedBeforeEnd = 0;
      let copied = false;
      const follow = followBlockChecksum(file, {
        clock: systemClock,
        blockBytes: 64 * 1024,
        pollMs: 0,
        onBytes: (done) => {
          if (!copied) followedBeforeEnd = done;
        },
      });
      let sum: { sha256: string; size: number } | undefined;
      const snap = await snapshotInThread({
        source,
        file,
        method: "backup-api",
        totalBytes: 1,
        clock: systemClock,
        onCopied: async () => {
          copied = true;
          sum = await follow.finish();
        },
      });
      const final = await fileBlockChecksum(file, { blockBytes: 64 * 1024 });
      assert.equal(sum?.sha256, final.sha256);
      assert.equal(sum?.size, final.size);
      assert.ok(followedBeforeEnd > 0, "some blocks were hashed while the copy was still being written");
      const copy = new Database(file, { readonly: true });
      assert.equal((copy.prepare("SELECT COUNT(*) AS n FROM orders").get() as { n: number }).n, snap.rowCounts.orders);
      copy.close();
    } finally {
      clearInterval(busy);
      writer.close();
    }
  });

  it("new backups record the sha256-blocks scheme; a backup with an older whole-file manifest still restores and is checked", async () => {
    const dir = mkdtempSync(join(root, "old-"));
    const source = join(dir, "app.db");
    makeDb(source, 1);
    const target = new LocalDirTarget(join(dir, "backups"));
    const { manifest } = await createBackup({
      source,
      engine: new SqliteEngine(),
      targets: [target],
      random: new SeededRandom(1),
    });
    assert.equal(manifest.checksum?.scheme, "sha256-blocks");
    await restoreBackup({ from: target, to: join(dir, "new.db") });

    // Rewrite the manifest as D2's format wrote it: no scheme, SHA-256 of the whole file.
    const manifestFile = join(target.location, manifest.id, "manifest.json");
    const data = readFileSync(join(target.location, manifest.id, manifest.dataFile));
    const { checksum: _scheme, ...old } = manifest;
    const whole = createHash("sha256").update(data).digest("hex");
    assert.notEqual(whole, manifest.sha256, "the two schemes give different values");
    writeFileSync(manifestFile, JSON.stringify({ ...old, sha256: whole }));
    const restored = await restoreBackup({ from: target, to: join(dir, "old.db"), id: manifest.id });
    assert.equal(restored.manifest.sha256, whole);

    // The block value under the old scheme is a mismatch: each manifest is checked by its own scheme.
    writeFileSync(manifestFile, JSON.stringify({ ...old, sha256: manifest.sha256 }));
    await assert.rejects(restoreBackup({ from: target, to: join(dir, "bad.db"), id: manifest.id }), (e: unknown) =>
      isNinesError(e, BACKUP_ERRORS.corrupt),
    );
  });
});
