import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Progress, SeededRandom, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import { createBackup } from "../src/backup/create-backup.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { SqliteBackupEngine } from "../src/dialect/sqlite/sqlite-backup-engine.js";
import { checkBank, createBank } from "./support/backup-fixtures.js";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "nines-backup-file-copy-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs a short CommonJS program with better-sqlite3 in another process and returns what it prints. */
function inOtherProcess(script: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, ["-e", script, ...args], { cwd: PACKAGE, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`the other process failed: ${run.stderr}`);
  return run.stdout.trim();
}

function rows(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT id, note, hex(payload) AS payload FROM items ORDER BY id").all();
  } finally {
    db.close();
  }
}

async function backupAndRestore(source: string, dir: string, name: string) {
  const target = new LocalDirTarget(join(dir, `backups-${name}`));
  const { manifest } = await createBackup({ source, targets: [target], random: new SeededRandom(1) });
  const to = join(dir, `${name}.db`);
  await restoreBackup({ from: target, to });
  return { manifest, to };
}

function assertStandsAlone(file: string): void {
  const header = readFileSync(file).subarray(18, 20);
  assert.deepEqual([...header], [1, 1], "rollback-journal mode in the file header");
  assert.equal(existsSync(`${file}-wal`), false, "no log beside the copy");
  const db = new Database(file, { readonly: true });
  assert.equal((db.pragma("integrity_check") as { integrity_check: string }[])[0]?.integrity_check, "ok");
  db.close();
}

describe("file-copy snapshots", () => {
  it("copy a WAL database whose last commits are only in the log, after a stale tail of an older cycle of it", async () => {
    const dir = mkdtempSync(join(root, "wal-"));
    const source = join(dir, "app.db");
    const app = new Database(source);
    app.pragma("journal_mode = WAL");
    app.pragma("wal_autocheckpoint = 0"); // commits stay in the log until asked
    app.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT, payload BLOB)");
    const insert = app.prepare("INSERT INTO items (note, payload) VALUES (?, randomblob(300))");
    const many = app.transaction((label: string, n: number) => {
      for (let i = 0; i < n; i++) insert.run(`${label} ${i}`);
    });
    many("first", 3000); // a large log ...
    app.pragma("wal_checkpoint(RESTART)"); // ... copied back; the next commit starts the log over, its end stays
    many("second", 20);
    app.pragma("wal_checkpoint(PASSIVE)"); // these pages are in the file as well now
    app.exec("UPDATE items SET note = 'changed after the checkpoint' WHERE id % 7 = 0");
    app.exec("DELETE FROM items WHERE id % 11 = 0");
    many("third", 200);
    try {
      // Read in another process: opening the -shm here would cancel this process's locks on it.
      const published = Number(
        inOtherProcess(
          `const b = require("node:fs").readFileSync(process.argv[1]); console.log(b.readUInt32LE(16) - b.readUInt32LE(96));`,
          `${source}-shm`,
        ),
      );
      assert.ok(published > 100, `the log holds commits not in the file (${published} frames)`);
      const { manifest, to } = await backupAndRestore(source, dir, "restored");
      assert.equal(manifest.method, "file-copy");
      assert.deepEqual(rows(to), rows(source), "every commit, the last ones from the log, and nothing else");
      assert.equal(manifest.rowCounts["items"], rows(source).length);
      assertStandsAlone(to);
    } finally {
      app.close();
    }
  });

  it("copy a rollback-journal database", async () => {
    const dir = mkdtempSync(join(root, "rollback-"));
    const source = join(dir, "app.db");
    const app = new Database(source);
    app.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT, payload BLOB)");
    const insert = app.prepare("INSERT INTO items (note, payload) VALUES (?, randomblob(200))");
    app.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i}`);
    })();
    app.exec("DELETE FROM items WHERE id > 1500"); // free pages at the end of the file
    app.close();
    const { manifest, to } = await backupAndRestore(source, dir, "restored");
    assert.equal(manifest.method, "file-copy");
    assert.deepEqual(rows(to), rows(source));
    assertStandsAlone(to);
  });

  it("never cancels the locks of the process it runs in (a writer's lock, a reader's place in the log)", async () => {
    const dir = mkdtempSync(join(root, "locks-"));
    // Closing any descriptor of a file cancels every POSIX lock this process holds on it: the live files must
    // never be opened here. Another process tells whether the locks are still there after the backup.
    const tryWrite = `const D = require("better-sqlite3"); const db = new D(process.argv[1], { timeout: 0 });
      try { db.exec("BEGIN IMMEDIATE"); db.exec("ROLLBACK"); console.log("free"); } catch (e) { console.log(e.code); }`;
    const rollback = join(dir, "rollback.db");
    const app = new Database(rollback);
    app.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT, payload BLOB)");
    app.exec("INSERT INTO items (note, payload) VALUES ('kept', randomblob(100))");
    app.exec("BEGIN IMMEDIATE"); // this process holds the write lock
    app.exec("INSERT INTO items (note) VALUES ('not committed')");
    try {
      assert.equal(inOtherProcess(tryWrite, rollback), "SQLITE_BUSY");
      const { manifest, to } = await backupAndRestore(rollback, dir, "rollback-restored");
      assert.equal(manifest.method, "file-copy");
      assert.equal(inOtherProcess(tryWrite, rollback), "SQLITE_BUSY", "the write lock survived the backup");
      assert.deepEqual(
        (rows(to) as { note: string }[]).map((r) => r.note),
        ["kept"],
      );
    } finally {
      app.exec("ROLLBACK");
      app.close();
    }
    assert.equal(inOtherProcess(tryWrite, rollback), "free");

    const wal = join(dir, "wal.db");
    const writer = new Database(wal);
    writer.pragma("journal_mode = WAL");
    writer.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT, payload BLOB)");
    writer.exec("INSERT INTO items (note) VALUES ('one')");
    const reader = new Database(wal, { readonly: true });
    reader.exec("BEGIN");
    reader.prepare("SELECT COUNT(*) FROM items").get(); // this process holds a read mark in the log's index
    writer.exec("INSERT INTO items (note) VALUES ('two')");
    const truncate = `const D = require("better-sqlite3"); const db = new D(process.argv[1], { timeout: 0 });
      console.log(db.pragma("wal_checkpoint(TRUNCATE)")[0].busy);`;
    try {
      assert.equal(inOtherProcess(truncate, wal), "1", "the reader keeps a full checkpoint from finishing");
      const { manifest } = await backupAndRestore(wal, dir, "wal-restored");
      assert.equal(manifest.method, "file-copy");
      assert.equal(inOtherProcess(truncate, wal), "1", "the reader's lock survived the backup");
    } finally {
      reader.exec("COMMIT");
      reader.close();
      writer.close();
    }
  });

  it("says exactly where in the log a WAL copy stands: the frames after it bring the copy up to date", async () => {
    const dir = mkdtempSync(join(root, "position-"));
    const source = join(dir, "app.db");
    const app = new Database(source);
    app.pragma("journal_mode = WAL");
    app.pragma("wal_autocheckpoint = 0");
    app.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT, payload BLOB)");
    const insert = app.prepare("INSERT INTO items (note, payload) VALUES (?, randomblob(300))");
    const many = app.transaction((label: string, n: number) => {
      for (let i = 0; i < n; i++) insert.run(`${label} ${i}`);
    });
    many("before", 1000);
    try {
      const file = join(dir, "snapshot.sqlite");
      const info = await new SqliteBackupEngine({ method: "file-copy", clock: systemClock }).snapshot({ source, file });
      assert.equal(info.method, "file-copy");
      assert.ok(info.wal, "a WAL copy says where it stands");
      many("after", 300);
      app.exec("UPDATE items SET note = 'changed after the snapshot' WHERE id % 5 = 0");
      // Replay the later frames of that log cycle onto the copy, as a replica would (the log holds no locks). A copy
      // older than it says would miss changes; one newer than it says would not (replaying frames is idempotent).
      const log = readFileSync(`${source}-wal`);
      assert.equal(log.subarray(16, 24).toString("hex"), info.wal.salt, "the same cycle of the log");
      const pageSize = log.readUInt32BE(8);
      const copy = Buffer.from(readFileSync(file));
      let pages = copy.length / pageSize;
      let image = copy;
      for (let frame = info.wal.frame + 1; ; frame++) {
        const at = 32 + (frame - 1) * (24 + pageSize);
        if (at + 24 + pageSize > log.length || log.subarray(at + 8, at + 16).toString("hex") !== info.wal.salt) break;
        const page = log.readUInt32BE(at);
        if (page > pages) image = Buffer.concat([image, Buffer.alloc((page - pages) * pageSize)]);
        pages = Math.max(pages, page);
        log.copy(image, (page - 1) * pageSize, at + 24, at + 24 + pageSize);
        const commit = log.readUInt32BE(at + 4);
        if (commit > 0) {
          image = image.subarray(0, commit * pageSize); // a commit: the database's size after it
          pages = commit;
        }
      }
      const replayed = join(dir, "replayed.db");
      writeFileSync(replayed, image);
      assert.deepEqual(rows(replayed), rows(source), "snapshot + later frames = the live database");
    } finally {
      app.close();
    }
  });

  it("gives way to the backup API when the files cannot be copied, and says so", async () => {
    const dir = mkdtempSync(join(root, "fallback-"));
    const source = join(dir, "app.db");
    createBank(source);
    const file = join(dir, "snapshot.sqlite");
    writeFileSync(file, "left over"); // the copy refuses to overwrite a file
    const notes: Progress[] = [];
    const engine = new SqliteBackupEngine({ method: "file-copy", clock: systemClock });
    const info = await engine.snapshot({ source, file, onProgress: (p) => p.message && notes.push(p) });
    assert.equal(info.method, "backup-api");
    assert.match(notes.map((n) => n.message).join("\n"), /copied with SQLite's backup API: .*EEXIST/);
    assert.equal(checkBank(file).total, 5000);
    assert.equal(info.rowCounts["accounts"], 50);
  });
});

// Transfers in a loop, with a checkpoint every few pages and the log truncated often: checkpoints and log
// restarts happen all through each copy.
const BUSY_WRITER = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.pragma("journal_mode = WAL");
db.pragma("busy_timeout = 5000");
db.pragma("wal_autocheckpoint = 16");
const n = db.prepare("SELECT COUNT(*) AS n FROM accounts").get().n;
const move = db.prepare("UPDATE accounts SET balance = balance + ? WHERE id = ?");
const log = db.prepare("INSERT INTO ledger (src, dst, amount, at) VALUES (?, ?, ?, ?)");
const bump = db.prepare("UPDATE counter SET n = n + 1 WHERE id = 1");
const transfer = db.transaction((i) => {
  const a = 1 + (i % n), b = 1 + ((i * 7 + 3) % n), amount = 1 + (i % 5);
  move.run(-amount, a); move.run(amount, b); log.run(a, b, amount, i); bump.run();
});
let i = 0;
transfer(i++);
process.stdout.write("ready\\n");
for (;;) {
  transfer(i++);
  if (i % 500 === 0) db.pragma("wal_checkpoint(TRUNCATE)");
}
`;

async function startBusyWriter(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", BUSY_WRITER, file], {
    cwd: PACKAGE,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = (await Promise.race([once(child.stdout as NodeJS.ReadableStream, "data"), once(child, "exit")])) as [
    unknown,
  ];
  if (String(chunk) !== "ready\n") throw new Error(`the writer did not start (${String(chunk)})`);
  return child;
}

it("file-copy under a writer that checkpoints and restarts its log all the time: every copy is one commit", async () => {
  const dir = mkdtempSync(join(root, "busy-"));
  const source = join(dir, "bank.db");
  createBank(source, { paddingMb: 16 });
  const writer = await startBusyWriter(source);
  try {
    const target = new LocalDirTarget(join(dir, "backups"));
    let previous = 0;
    for (let round = 0; round < 8; round++) {
      const { manifest } = await createBackup({ source, targets: [target], random: new SeededRandom(round) });
      assert.equal(manifest.method, "file-copy");
      const to = join(dir, `restored-${round}.db`);
      await restoreBackup({ from: target, to, id: manifest.id });
      const copy = checkBank(to); // throws when the ledger and its counter disagree
      assert.equal(copy.integrity, "ok");
      assert.equal(copy.total, 50 * 100, "money is neither created nor lost in one commit");
      assert.equal(manifest.rowCounts["ledger"], copy.transfers);
      assert.ok(copy.transfers >= previous, `${copy.transfers} >= ${previous}: copies only move forward`);
      previous = copy.transfers;
    }
    assert.ok(previous > 0, "the writer wrote during the backups");
  } finally {
    writer.kill("SIGKILL");
    await once(writer, "exit");
  }
});
