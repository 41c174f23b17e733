// The replicator's hold on the database against another process that holds
// SQLite's write lock for a while, as a writer going as fast as it can
// almost always does: a log restart in the replicator's own thread waits for
// the lock (lockWaitMs), one in the application's thread never does.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, it } from "node:test";
import Database from "better-sqlite3";
import { WalGuard } from "./wal-guard.js";

const dir = mkdtempSync(join(tmpdir(), "nines-wal-guard-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A database in WAL mode with a few frames in its log, and the writing connection left open. */
function database(name: string): { file: string; db: Database.Database } {
  const file = join(dir, name);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("CREATE TABLE t (x TEXT)");
  for (let i = 0; i < 20; i++) db.prepare("INSERT INTO t VALUES (?)").run(`row ${i}`);
  return { file, db };
}

/** Another process that takes the write lock (BEGIN IMMEDIATE), says "locked", holds it `ms`, then lets go. */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1]);
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
    db.exec("ROLLBACK");
    db.close();
  `;
  const child = spawn(process.execPath, ["-e", script, file, String(ms)], {
    stdio: ["ignore", "pipe", "inherit"],
    cwd: process.cwd(),
  });
  const exited = new Promise<void>((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the lock holder exited (${code})`)))),
  );
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "locked") resolve();
    });
    exited.catch(reject);
  });
  // Wrapped: an async function returning the promise itself would wait for it.
  return { released: exited };
}

it("restarts the log once another process lets go of the write lock, when it may wait (lockWaitMs)", async () => {
  const { file, db } = database("waits.db");
  const guard = WalGuard.open(file, { lockWaitMs: 5000 });
  try {
    const { released } = await holdWriteLock(file, 300);
    let read = 0;
    const restart = guard.restartLog(() => {
      read++;
      return true;
    });
    await released;
    assert.ok(restart, "the restart went ahead once the lock was free");
    assert.equal(read, 1, "the log was read under the lock");
    assert.ok(restart.writeLockMs >= 150, `it waited for the other process: ${restart.writeLockMs.toFixed(1)} ms`);
    assert.equal(restart.checkpoint.busy, false);
    assert.equal(restart.checkpoint.checkpointed, restart.checkpoint.log, "every frame was copied");
  } finally {
    guard.close();
    db.close();
  }
});

it("never waits for the write lock by default (the application's own thread): the restart is left for later", async () => {
  const { file, db } = database("never-waits.db");
  const guard = WalGuard.open(file);
  try {
    const { released } = await holdWriteLock(file, 300);
    const started = performance.now();
    const restart = guard.restartLog(() => true);
    const tookMs = performance.now() - started;
    await released;
    assert.equal(restart, undefined, "busy: nothing done");
    assert.ok(tookMs < 100, `it did not wait: ${tookMs.toFixed(1)} ms`);
    assert.ok(guard.holding, "it still holds its read transaction");
  } finally {
    guard.close();
    db.close();
  }
});
