// Continuous replication end to end on real files: every committed
// transaction reaches each target and restores, to the latest point or to
// any point in time (the last commit at or before it), through snapshots,
// log restarts, VACUUM and a transaction too large for memory.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { REPLICA_ERRORS } from "../src/replicate/errors.js";
import { listReplica } from "../src/replicate/layout/replica-catalog.js";
import { replicate } from "../src/replicate/replicate.js";
import type { ReplicatorEvents } from "../src/replicate/replicator/replicator-events.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { commitOne, ledgerOf, openAppDb, prefixCheck, tempDir } from "./support/replica-fixtures.js";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function folder(name: string): string {
  const dir = tempDir(name);
  dirs.push(dir);
  return dir;
}

describe("replicate and restoreReplica", () => {
  it("restores the latest point: every transaction committed before sync()", async () => {
    const dir = folder("replica-latest");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    for (let i = 0; i < 20; i++) commitOne(db);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 50 });
    try {
      for (let i = 0; i < 500; i++) commitOne(db);
      await replicator.sync();
      const result = await restoreReplica({ from: target, to: join(dir, "restored.db") });
      assert.deepEqual(ledgerOf(join(dir, "restored.db")), ledgerOf(file));
      assert.equal(result.rowCounts["ledger"], 520);
      assert.ok(result.transactions >= 500, "the commits after the snapshot were replayed from segments");
      assert.ok(result.segments >= 1);
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("restores to a point in time: the last commit at or before it", async () => {
    const dir = folder("replica-pitr");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 7, 0, 0));
    const target = new LocalDirTarget(join(dir, "replica"), { clock });
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 1000, clock });
    const seen: number[] = [];
    try {
      await replicator.sync();
      const start = clock.now();
      // Transaction i is committed at start + 1000 * i and seen by the replicator at that same instant.
      for (let i = 1; i <= 5; i++) {
        await clock.advance(1000);
        commitOne(db);
        await replicator.sync();
        seen.push(clock.now());
      }
      const at = async (when: number, name: string) => {
        await restoreReplica({ from: target, to: join(dir, name), at: new Date(when), clock });
        return ledgerOf(join(dir, name)).ids.length;
      };
      assert.equal(await at(start + 2500, "t2500.db"), 2, "between commits 2 and 3: the state after commit 2");
      assert.equal(await at(seen[2] as number, "t3.db"), 3, "exactly at a commit's time: that commit is in");
      assert.equal(await at((seen[2] as number) - 1, "t3m.db"), 2, "one ms before it: not yet");
      assert.equal(await at(start, "t0.db"), 0, "the first snapshot's point");
      assert.equal(await at(start + 60_000, "later.db"), 5, "after the last commit: the latest");
      await assert.rejects(restoreReplica({ from: target, to: join(dir, "before.db"), at: start - 1, clock }), (e) =>
        isNinesError(e, REPLICA_ERRORS.noPoint),
      );
      assert.equal(existsSync(join(dir, "before.db")), false, "a refused restore writes nothing");
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("follows the log through restarts it makes itself, VACUUM and a large transaction", async () => {
    const dir = folder("replica-cycles");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
    const checkpoints: ReplicatorEvents["checkpoint"][] = [];
    replicator.on("checkpoint", (e) => checkpoints.push(e));
    try {
      // Over 1000 frames a cycle: the replicator checkpoints and restarts the log itself, several times.
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 700; i++) commitOne(db, 300);
        await replicator.sync();
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      db.exec(
        "DELETE FROM ledger WHERE id % 3 = 0; UPDATE totals SET rows = (SELECT COUNT(*) FROM ledger), sum = (SELECT SUM(amount) FROM ledger)",
      );
      db.exec("VACUUM");
      // One transaction of about 40 MB: more than the replicator keeps in memory (it spills to a file).
      db.transaction(() => {
        const big = "x".repeat(4000);
        const insert = db.prepare("INSERT INTO ledger (id, amount, note) VALUES (?, 0, ?)");
        for (let i = 0; i < 10_000; i++) insert.run(1_000_000 + i, big);
        db.prepare("UPDATE totals SET rows = rows + 10000").run();
      })();
      for (let i = 0; i < 50; i++) db.prepare("UPDATE totals SET sum = sum WHERE id = 1").run();
      await replicator.sync();
      await restoreReplica({ from: target, to: join(dir, "restored.db") });
      assert.deepEqual(ledgerOf(join(dir, "restored.db")), ledgerOf(file));
      const restarts = checkpoints.filter((c) => c.mode === "restart");
      assert.ok(restarts.length >= 2, `the log was restarted by the replicator (${restarts.length} times)`);
      for (const r of restarts) assert.ok((r.writeLockMs ?? 0) < 1000, "writers were held for less than a second");
      const { generations } = await listReplica(target);
      assert.equal(generations.length, 1, "one lineage throughout: every restart was followed");
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("keeps writers waiting only milliseconds while it restarts the log", async () => {
    const dir = folder("replica-lock");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 10 });
    const held: number[] = [];
    replicator.on("checkpoint", (e) => {
      if (e.writeLockMs !== undefined) held.push(e.writeLockMs);
    });
    try {
      // A writer that yields between small batches, as a service does between requests.
      for (let batch = 0; batch < 2000 && held.length < 5; batch++) {
        for (let i = 0; i < 50; i++) commitOne(db);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await replicator.sync();
      assert.ok(held.length >= 3, `restarts measured: ${held.length}`);
      held.sort((a, b) => a - b);
      // The write lock covers reading the last few frames and one small checkpoint: milliseconds, even on a busy machine.
      assert.ok((held[Math.floor(held.length / 2)] as number) < 50, `median write lock ${held.join(", ")} ms`);
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("takes its first snapshot of a log just checkpointed in full while the application writes on", {
    timeout: 60_000,
  }, async () => {
    // The application's auto-checkpoint copied the whole log into the file before the replicator started, so its
    // read transaction reads the file alone and the next write starts the log over under the snapshot.
    const dir = folder("replica-first-snapshot");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) commitOne(db, 1500);
    })();
    const replicator = await replicate({
      db: file,
      targets: [new LocalDirTarget(join(dir, "replica"))],
      intervalMs: 20,
    });
    try {
      for (let i = 0; i < 200; i++) commitOne(db);
      await replicator.sync();
      await restoreReplica({ from: new LocalDirTarget(join(dir, "replica")), to: join(dir, "restored.db") });
      assert.deepEqual(ledgerOf(join(dir, "restored.db")), ledgerOf(file));
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("keeps SQLite's lock on the database file while it reads it for a snapshot", async () => {
    // Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's shared lock
    // included (the one that tells another process's last connection it is not the last). Snapshots read the
    // file in a child process so that never happens here.
    const dir = folder("replica-locks");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    for (let i = 0; i < 100; i++) commitOne(db);
    const ino = statSync(file).ino;
    // SQLite's shared lock: the byte range 1073741826-1073742335 of the file, held for as long as a connection is open
    // (the replicator's checkpoints take other, short-lived locks beside it).
    const sharedLocks = () =>
      readFileSync("/proc/locks", "utf8")
        .split("\n")
        .filter(
          (line) =>
            line.includes(` ${process.pid} `) &&
            line.split(/\s+/)[5]?.endsWith(`:${ino}`) &&
            line.includes(" 1073741826 1073742335"),
        );
    const replicator = await replicate({ db: file, targets: [new LocalDirTarget(join(dir, "replica"))] });
    try {
      await replicator.sync();
      assert.equal(sharedLocks().length, 1, "SQLite holds its shared lock on the database file");
      await replicator.snapshot();
      await replicator.sync();
      assert.equal(sharedLocks().length, 1, "the snapshot left SQLite's shared lock in place");
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("refuses to overwrite an existing file unless forced, and names a missing database", async () => {
    const dir = folder("replica-refuse");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    commitOne(db);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target] });
    try {
      await replicator.sync();
      await assert.rejects(restoreReplica({ from: target, to: file }), (e) =>
        isNinesError(e, BACKUP_ERRORS.restoreExists),
      );
      await assert.rejects(replicate({ db: join(dir, "nope.db"), targets: [target] }), (e) =>
        isNinesError(e, REPLICA_ERRORS.sourceMissing),
      );
      await assert.rejects(
        restoreReplica({ from: new LocalDirTarget(join(dir, "empty")), to: join(dir, "x.db") }),
        (e) => isNinesError(e, BACKUP_ERRORS.locationMissing),
      );
    } finally {
      await replicator.stop();
      db.close();
    }
    const restored = join(dir, "forced.db");
    await restoreReplica({ from: target, to: restored });
    assert.equal(prefixCheck(ledgerOf(restored), 1).k, 1);
  });
});
