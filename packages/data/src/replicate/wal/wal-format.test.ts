import assert from "node:assert/strict";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import Database from "better-sqlite3";
import { parseWalHeader } from "./wal-format.js";
import { scanWal } from "./wal-scan.js";

it("reads a real SQLite log as SQLite does: its header, its frames, its commits", () => {
  const dir = mkdtempSync(join(tmpdir(), "nines-wal-"));
  try {
    const file = join(dir, "a.db");
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (x TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    for (let i = 0; i < 20; i++) insert.run("x".repeat(i * 300));
    db.transaction(() => {
      for (let i = 0; i < 30; i++) insert.run("y".repeat(3000));
    })();
    const header = parseWalHeader(readFileSync(`${file}-wal`).subarray(0, 32));
    assert.ok(header, "the header parses and its checksum matches");
    assert.equal(header.pageSize, 4096);
    const fd = openSync(`${file}-wal`, "r");
    const scan = scanWal(fd, header, { frame: 0, checksum: header.checksum });
    // SQLite's own count of frames in the log, from a checkpoint that copies nothing back (PASSIVE reports it).
    const { log } = (db.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0] as { log: number };
    assert.equal(scan.committed.frame, log, "every frame SQLite counts, and no more");
    assert.equal(scan.commits.length, 22, "one commit per transaction (the table, 20 inserts, one batch)");
    const pages = db.pragma("page_count", { simple: true }) as number;
    assert.equal(scan.commits.at(-1)?.pages, pages, "the last commit records the database size");
    // A damaged page ends the valid log just before it, as SQLite's recovery would.
    const frameBytes = 24 + header.pageSize;
    const bytes = readFileSync(`${file}-wal`);
    const at = 32 + 5 * frameBytes + 24 + 100;
    bytes[at] = (bytes[at] as number) ^ 1;
    writeFileSync(join(dir, "damaged-wal"), bytes);
    const damaged = scanWal(openSync(join(dir, "damaged-wal"), "r"), header, { frame: 0, checksum: header.checksum });
    assert.equal(damaged.valid.frame, 5, "the frames before the damaged one stay valid");
    assert.ok(damaged.committed.frame <= 5);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
