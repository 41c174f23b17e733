// The replicator in a worker thread (the default): what crosses between the
// threads (calls, events, errors with their codes, target operations, which
// stay in the caller's thread but for a plain local folder), a clean stop, a worker that dies, segments
// cut by size for a fast writer, and a fast writer that never breaks the
// lineage while the worker restarts the log beside it.
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isMainThread } from "node:worker_threads";
import { isNinesError, ManualClock, OPTION_INVALID } from "@nines/core";
import Database from "better-sqlite3";
import { STAGING_PREFIX } from "../src/backup/staging/staging-area.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import type { TargetBody } from "../src/backup/targets/target.js";
import { REPLICA_ERRORS, ReplicaError } from "../src/replicate/errors.js";
import { replicate } from "../src/replicate/replicate.js";
import type { ReplicatorEvents } from "../src/replicate/replicator/replicator-events.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { WorkerReplicator } from "../src/replicate/worker/worker-replicator.js";
import { commitOne, ledgerOf, openAppDb, tempDir } from "./support/replica-fixtures.js";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function folder(name: string): string {
  const dir = tempDir(name);
  dirs.push(dir);
  return dir;
}

/** A local folder that records in which thread each object was stored. */
class WatchedTarget extends LocalDirTarget {
  readonly threads: boolean[] = [];

  override async put(key: string, body: TargetBody): Promise<void> {
    this.threads.push(isMainThread);
    await super.put(key, body);
  }
}

/** A local folder whose segment uploads wait while it is closed (a slow or unreachable target). */
class GatedTarget extends LocalDirTarget {
  #closed = false;
  #waiting: (() => void)[] = [];

  hold(): void {
    this.#closed = true;
  }

  release(): void {
    this.#closed = false;
    for (const resume of this.#waiting.splice(0)) resume();
  }

  override async put(key: string, body: TargetBody): Promise<void> {
    if (this.#closed && key.endsWith(".segment")) await new Promise<void>((resume) => this.#waiting.push(resume));
    await super.put(key, body);
  }
}

/** The ledger of the latest point restored from `target` into `dir`. */
async function latestLedger(target: LocalDirTarget, dir: string) {
  const to = join(dir, "restored.db");
  await restoreReplica({ from: target, to });
  return ledgerOf(to);
}

/** One-row inserts as fast as they go for `ms`, yielding every 100; returns how many were committed. */
async function flatOut(insert: Database.Statement, ms: number): Promise<number> {
  let committed = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    insert.run(committed);
    if (++committed % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return committed;
}

/** Segments waiting in the replicator's staging folder beside the database. */
function stagedSegments(dir: string): number {
  return readdirSync(dir)
    .filter((name) => name.startsWith(STAGING_PREFIX))
    .flatMap((name) => readdirSync(join(dir, name)).filter((f) => f.startsWith("segment-"))).length;
}

describe("the replicator's worker thread", () => {
  it("runs in a worker by default, in the caller's thread with an injected clock, and refuses a worker with one", async () => {
    const dir = folder("replica-thread");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new WatchedTarget(join(dir, "replica"));
    const inWorker = await replicate({ db: file, targets: [target], intervalMs: 20 });
    try {
      assert.equal(inWorker.thread, "worker");
      commitOne(db);
      const { generation } = await inWorker.sync();
      assert.equal(inWorker.position.generation, generation);
      assert.ok(inWorker.position.nextSeq >= 1, "the position follows the worker's cuts");
      assert.ok(target.threads.length > 0 && target.threads.every((main) => main), "targets stay in this thread");
    } finally {
      await inWorker.stop();
    }
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 7, 0, 0));
    const caller = await replicate({ db: file, targets: [new LocalDirTarget(join(dir, "replica2"))], clock });
    assert.equal(caller.thread, "caller");
    await caller.stop();
    await assert.rejects(
      replicate({ db: file, targets: [target], clock, thread: "worker" }),
      (e) => isNinesError(e, OPTION_INVALID) && /thread/.test((e as Error).message),
    );
    db.close();
  });

  it("writes a plain local folder from the worker: objects are stored while the application's thread is busy", async () => {
    const dir = folder("replica-local-in-worker");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const replicaDir = join(dir, "replica");
    const replicator = await replicate({ db: file, targets: [new LocalDirTarget(replicaDir)], intervalMs: 20 });
    try {
      await replicator.sync();
      const objects = () => readdirSync(replicaDir, { recursive: true }).filter((f) => String(f).endsWith(".segment"));
      const before = objects().length;
      commitOne(db);
      // This thread does not take a turn for 1.5 s: a target served from here could store nothing meanwhile.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
      assert.ok(objects().length > before, `${objects().length} segments, ${before} before the commit`);
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("brings errors back with their family and code, and events with their fields", async () => {
    const dir = folder("replica-wire");
    const target = new LocalDirTarget(join(dir, "replica"));
    await assert.rejects(replicate({ db: join(dir, "missing.db"), targets: [target] }), (e) => {
      assert.ok(e instanceof ReplicaError, `a ReplicaError, not ${(e as Error).name}`);
      assert.equal(e.code, REPLICA_ERRORS.sourceMissing);
      assert.match(e.hint ?? "", /--db/);
      return true;
    });
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
    const segments: ReplicatorEvents["segment"][] = [];
    replicator.on("segment", (e) => segments.push(e));
    try {
      for (let i = 0; i < 5; i++) commitOne(db);
      await replicator.sync();
      assert.ok(segments.length > 0, "segment events reach this thread");
      assert.equal(
        segments.reduce((n, s) => n + s.commits, 0),
        5,
      );
      assert.ok(segments.every((s) => s.storedBytes > 0 && s.generation === replicator.position.generation));
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("stops cleanly: everything committed is stored, later calls are refused, a second stop is harmless", async () => {
    const dir = folder("replica-stop");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 5000 });
    for (let i = 0; i < 30; i++) commitOne(db);
    await replicator.stop();
    await replicator.stop();
    await assert.rejects(replicator.sync(), (e) => isNinesError(e, REPLICA_ERRORS.stopped));
    assert.equal(
      (await latestLedger(target, dir)).rows,
      30,
      "stop shipped what was committed, though the interval had not come",
    );
    db.close();
  });

  it("fails what waits with NINES_REPLICA_STOPPED when the worker dies, and the next start continues", async () => {
    const dir = folder("replica-worker-dies");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const worker = await WorkerReplicator.start(file, { intervalMs: 20 }, [target]);
    const errors: unknown[] = [];
    worker.on("error", (e) => errors.push(e.error));
    commitOne(db);
    await worker.sync();
    const waiting = worker.sync();
    await worker.kill();
    await assert.rejects(waiting, (e) => isNinesError(e, REPLICA_ERRORS.stopped));
    await assert.rejects(worker.sync(), (e) => isNinesError(e, REPLICA_ERRORS.stopped));
    assert.ok(errors.length === 1, "one error event says the worker ended");
    await worker.stop();
    // The database is free again: a new replicator starts, and everything committed restores.
    for (let i = 0; i < 5; i++) commitOne(db);
    const next = await replicate({ db: file, targets: [target], intervalMs: 20 });
    await next.sync();
    await next.stop();
    assert.equal((await latestLedger(target, dir)).rows, 6);
    db.close();
  });

  it("cuts a segment once 16 MiB are read, without waiting for the interval", { timeout: 60_000 }, async () => {
    const dir = folder("replica-size-cut");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({
      db: file,
      targets: [target],
      intervalMs: 600_000,
      snapshotIntervalMs: 600_000,
    });
    const segments: ReplicatorEvents["segment"][] = [];
    replicator.on("segment", (e) => segments.push(e));
    // A reader of its own holds the log in one cycle (a restart would also end a segment).
    const reader = new Database(file, { readonly: true });
    try {
      await replicator.sync();
      reader.exec("BEGIN");
      reader.prepare("SELECT COUNT(*) FROM ledger").get();
      const before = segments.length;
      // About 80 MB of log in transactions of about 200 kB each: however the looks fall, at least two segments
      // reach 16 MiB (a look reads at most 32 MiB before it cuts).
      for (let i = 0; i < 400; i++) {
        commitOne(db, 200_000);
        if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
      }
      for (let waited = 0; segments.length - before < 2 && waited < 30_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const cut = segments.slice(before);
      assert.ok(cut.length >= 2, `segments cut by size: ${cut.length}`);
      assert.ok(
        cut.every((s) => s.plainBytes >= 16 * 1024 * 1024),
        `sizes ${cut.map((s) => s.plainBytes).join(", ")}`,
      );
      reader.exec("COMMIT");
      await replicator.sync();
    } finally {
      if (reader.inTransaction) reader.exec("COMMIT");
      reader.close();
      await replicator.stop();
    }
    assert.equal((await latestLedger(target, dir)).rows, 400);
    db.close();
  });

  it("keeps a slow target's backlog in staging files past 64 MiB, not in memory", { timeout: 60_000 }, async () => {
    const dir = folder("replica-backlog");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new GatedTarget(join(dir, "replica"));
    // Uncompressed, so the backlog's bytes are the log's.
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 50, compression: "none" });
    try {
      await replicator.sync();
      target.hold();
      let staged = false;
      for (let i = 0; i < 500 && !staged; i++) {
        commitOne(db, 200_000);
        if (i % 10 === 9) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          staged = stagedSegments(dir) > 0;
        }
      }
      for (let waited = 0; !staged && waited < 20_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        staged = stagedSegments(dir) > 0;
      }
      assert.ok(staged, "segments went to staging files while the target was more than 64 MiB behind");
      target.release();
      await replicator.sync();
    } finally {
      target.release();
      await replicator.stop();
    }
    assert.equal(stagedSegments(dir), 0, "staging files are removed once stored");
    assert.equal((await latestLedger(target, dir)).rows, ledgerOf(file).rows);
    db.close();
  });

  it("keeps the lineage after the log grew past 64 MB and restarted", { timeout: 60_000 }, async () => {
    // An earlier version emptied such a log (TRUNCATE); a connection that never restarted the log itself then
    // starts the next one with random salts instead of the next ones, which broke the lineage.
    const dir = folder("replica-large-log");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 50 });
    const generations: ReplicatorEvents["generation"][] = [];
    replicator.on("generation", (e) => generations.push(e));
    let restarted = false;
    replicator.on("checkpoint", (e) => {
      if (e.mode === "restart" && !e.busy && e.checkpointed === e.log) restarted = true;
    });
    try {
      await replicator.sync();
      db.transaction(() => {
        for (let i = 0; i < 350; i++) commitOne(db, 200_000);
      }).immediate();
      for (let waited = 0; !restarted && waited < 30_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(restarted, "the worker restarted the large log");
      for (let i = 0; i < 3; i++) commitOne(db);
      await replicator.sync();
      assert.deepEqual(
        generations.map((g) => g.reason),
        [],
        "no new generation",
      );
    } finally {
      await replicator.stop();
    }
    assert.equal((await latestLedger(target, dir)).rows, 353);
    db.close();
  });

  it("keeps up with a writer as fast as it can go with SQLite's auto-checkpoint off (as recommended), then restarts the log", {
    timeout: 60_000,
  }, async () => {
    // The configuration docs/replicate.md recommends: the replicator alone checkpoints. A writer faster than the
    // replicator can read is not held back for long (at most 4 MiB are read under the write lock), so the log may
    // grow while it runs; once it slows down the replicator restarts the log, and the lineage and every
    // transaction survive.
    const dir = folder("replica-autocheckpoint-off");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    db.pragma("wal_autocheckpoint = 0");
    const insert = db.prepare("INSERT INTO ledger (amount, note) VALUES (?, randomblob(100))");
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 200 });
    const generations: ReplicatorEvents["generation"][] = [];
    let restarts = 0;
    replicator.on("generation", (e) => generations.push(e));
    replicator.on("checkpoint", (e) => {
      if (e.mode === "restart" && !e.busy && e.checkpointed === e.log) restarts++;
    });
    let committed = 0;
    try {
      await replicator.sync();
      committed = await flatOut(insert, 4000);
      const duringBurst = restarts;
      // The writer slows to a transaction every 10 ms: the replicator catches up and restarts the log.
      for (let i = 0; i < 500 && restarts === duringBurst; i++) {
        insert.run(committed++);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await replicator.sync();
      assert.ok(restarts > duringBurst, `${restarts} restarts, ${duringBurst} during the burst`);
      assert.deepEqual(
        generations.map((g) => g.reason),
        [],
        "no new generation",
      );
    } finally {
      await replicator.stop();
    }
    assert.equal((await latestLedger(target, dir)).ids.length, committed);
    db.close();
  });

  it("keeps one generation while a writer goes as fast as it can beside the worker", { timeout: 60_000 }, async () => {
    // One-row autocommit inserts as fast as they go: each waits for the write lock holding its read snapshot, so
    // many of the worker's restarts find the log busy and it grows. An earlier version then emptied the large log
    // (TRUNCATE), after which the writer started the next one with random salts, which broke the lineage.
    const dir = folder("replica-fast-writer");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const insert = db.prepare("INSERT INTO ledger (amount, note) VALUES (?, randomblob(100))");
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 200 });
    const generations: ReplicatorEvents["generation"][] = [];
    const restarts: ReplicatorEvents["checkpoint"][] = [];
    replicator.on("generation", (e) => generations.push(e));
    replicator.on("checkpoint", (e) => {
      if (e.mode === "restart" && !e.busy) restarts.push(e);
    });
    let committed = 0;
    try {
      committed = await flatOut(insert, 5000);
      await replicator.sync();
      assert.ok(restarts.length >= 1, `log restarts: ${restarts.length}`);
      assert.deepEqual(
        generations.map((g) => g.reason),
        [],
        "no new generation after the first",
      );
    } finally {
      await replicator.stop();
    }
    assert.equal((await latestLedger(target, dir)).ids.length, committed);
    db.close();
  });
});
