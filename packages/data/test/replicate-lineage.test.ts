// The lineage across replicator restarts, on the failure modes Litestream's
// users reported: checkpoints (even TRUNCATE) while the replicator is
// stopped (Litestream issue 752), a restart mid-generation and a
// point-in-time restore before it (issue 564), retention while a restore
// reads (issue 224). Each ends in a correct restore or a clear refusal.
import assert from "node:assert/strict";
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import type { BackupTarget } from "../src/backup/targets/target.js";
import { REPLICA_ERRORS } from "../src/replicate/errors.js";
import { listReplica } from "../src/replicate/layout/replica-catalog.js";
import { replicate } from "../src/replicate/replicate.js";
import type { ReplicatorEvents } from "../src/replicate/replicator/replicator-events.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { applyReplicaRetention } from "../src/replicate/retention/apply-replica-retention.js";
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

async function restoredIds(target: BackupTarget, to: string, at?: number): Promise<number> {
  await restoreReplica({ from: target, to, ...(at === undefined ? {} : { at }) });
  return ledgerOf(to).ids.length;
}

describe("the lineage across restarts", () => {
  for (const mode of ["TRUNCATE", "RESTART", "PASSIVE"] as const) {
    it(`starts a new generation when the application checkpointed (${mode}) while the replicator was stopped`, async () => {
      const dir = folder("replica-752");
      const file = join(dir, "app.db");
      const db = openAppDb(file);
      const target = new LocalDirTarget(join(dir, "replica"));
      let replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
      for (let i = 0; i < 100; i++) commitOne(db);
      await replicator.sync();
      await replicator.stop();
      const stoppedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      // While it is stopped: more commits, a checkpoint that empties or rewinds the log, more commits.
      for (let i = 0; i < 100; i++) commitOne(db);
      db.pragma(`wal_checkpoint(${mode})`);
      for (let i = 0; i < 30; i++) commitOne(db);
      const events: ReplicatorEvents["generation"][] = [];
      replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
      replicator.on("generation", (e) => events.push(e));
      try {
        for (let i = 0; i < 30; i++) commitOne(db);
        await replicator.sync();
        const { generations } = await listReplica(target);
        // The log restarted (or was emptied) while no one held it: frames may have been checkpointed away unseen.
        assert.equal(generations.length, 2, "a new generation after the log restarted");
        assert.equal(await restoredIds(target, join(dir, "latest.db")), 260, "the latest point has every transaction");
        assert.deepEqual(ledgerOf(join(dir, "latest.db")), ledgerOf(file));
        assert.equal(
          await restoredIds(target, join(dir, "before.db"), stoppedAt),
          100,
          "before the stop: the first 100",
        );
      } finally {
        await replicator.stop();
        db.close();
      }
    });
  }

  it("starts a new generation when the database file is replaced under it (a restore over it)", async () => {
    const dir = folder("replica-replaced");
    const file = join(dir, "app.db");
    let db = openAppDb(file);
    for (let i = 0; i < 40; i++) commitOne(db);
    const target = new LocalDirTarget(join(dir, "replica"));
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
    const events: ReplicatorEvents["generation"][] = [];
    replicator.on("generation", (e) => events.push(e));
    try {
      await replicator.sync();
      const before = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Another database put in its place as `restore --force` does: old log and index removed, then a rename.
      const other = openAppDb(join(dir, "other.db"));
      for (let i = 0; i < 7; i++) commitOne(other);
      other.pragma("wal_checkpoint(TRUNCATE)");
      other.close();
      db.close();
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
      renameSync(join(dir, "other.db"), file);
      db = openAppDb(file);
      for (let i = 0; i < 3; i++) commitOne(db);
      await replicator.sync();
      assert.equal(events.length, 1, "one new generation");
      assert.match(events[0]?.reason ?? "", /replaced|removed/);
      assert.equal(await restoredIds(target, join(dir, "latest.db")), 10, "the new database, not a mix of both");
      assert.deepEqual(ledgerOf(join(dir, "latest.db")), ledgerOf(file));
      assert.equal(await restoredIds(target, join(dir, "before.db"), before), 40, "the old one, before the switch");
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("continues the generation after a restart mid-generation, and restores points before the restart", async () => {
    const dir = folder("replica-564");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const target = new LocalDirTarget(join(dir, "replica"));
    const times: number[] = [];
    let replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) commitOne(db);
      await replicator.sync();
      times.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await replicator.stop();
    // The application keeps running (its connection keeps the log) and commits while the replicator is down.
    for (let i = 0; i < 10; i++) commitOne(db);
    const events: ReplicatorEvents["generation"][] = [];
    replicator = await replicate({ db: file, targets: [target], intervalMs: 20 });
    replicator.on("generation", (e) => events.push(e));
    try {
      for (let i = 0; i < 10; i++) commitOne(db);
      await replicator.sync();
      const { generations } = await listReplica(target);
      assert.equal(generations.length, 1, "the same generation continues");
      assert.equal(await restoredIds(target, join(dir, "latest.db")), 50);
      for (const [round, at] of times.entries()) {
        assert.equal(await restoredIds(target, join(dir, `t${round}.db`), at), 10 * (round + 1), `point ${round}`);
      }
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("keeps what a restore of the latest point reads while retention runs, and refuses an expired point clearly", async () => {
    const dir = folder("replica-224");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 7, 0, 0));
    const local = new LocalDirTarget(join(dir, "replica"), { clock });
    const replicator = await replicate({
      db: file,
      targets: [local],
      clock,
      retention: { windowMs: 60_000, intervalMs: 3_600_000 },
    });
    try {
      for (let i = 0; i < 5; i++) commitOne(db);
      await replicator.sync();
      const early = clock.now();
      await clock.advance(30_000);
      for (let i = 0; i < 5; i++) commitOne(db);
      await replicator.sync();
      await clock.advance(30_000);
      await replicator.snapshot();
      for (let i = 0; i < 5; i++) commitOne(db);
      await replicator.sync();
      await clock.advance(120_000);

      // A target that lets a test step in between a restore's listing and its first read.
      let pause: (() => Promise<void>) | undefined;
      const paused: BackupTarget = {
        location: local.location,
        put: (k, b) => local.put(k, b),
        read: (k) => local.read(k),
        list: (p) => local.list(p),
        delete: (k) => local.delete(k),
        get: async (k) => {
          const step = pause;
          pause = undefined;
          await step?.();
          return await local.get(k);
        },
      };
      const retention = async () => {
        const result = await applyReplicaRetention(local, { windowMs: 60_000, clock });
        assert.ok(result.removed.length > 0, "retention removed the first snapshot and its segments");
      };
      pause = retention;
      const latest = await restoreReplica({ from: paused, to: join(dir, "latest.db"), clock });
      assert.equal(ledgerOf(join(dir, "latest.db")).ids.length, 15, "the latest point restores in full");
      assert.ok(latest.snapshot.includes("/snapshots/"));

      pause = async () => undefined;
      await assert.rejects(restoreReplica({ from: paused, to: join(dir, "early.db"), at: early, clock }), (e) =>
        isNinesError(e, REPLICA_ERRORS.noPoint),
      );
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("names the object retention removed under a restore that was already reading", async () => {
    const dir = folder("replica-224b");
    const file = join(dir, "app.db");
    const db = openAppDb(file);
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 7, 0, 0));
    const local = new LocalDirTarget(join(dir, "replica"), { clock });
    const replicator = await replicate({ db: file, targets: [local], clock, retention: { windowMs: 60_000 } });
    try {
      for (let i = 0; i < 5; i++) commitOne(db);
      await replicator.sync();
      await clock.advance(10_000);
      const early = clock.now();
      await clock.advance(50_000);
      for (let i = 0; i < 5; i++) commitOne(db);
      await replicator.sync();
      await replicator.snapshot();
      let pause: (() => Promise<void>) | undefined;
      const paused: BackupTarget = {
        location: local.location,
        put: (k, b) => local.put(k, b),
        read: (k) => local.read(k),
        list: (p) => local.list(p),
        delete: (k) => local.delete(k),
        get: async (k) => {
          const step = pause;
          pause = undefined;
          await step?.();
          return await local.get(k);
        },
      };
      // The restore picked the first snapshot (the point is inside the window); then the window moves past it.
      pause = async () => {
        await clock.advance(60_000);
        await applyReplicaRetention(local, { windowMs: 60_000, clock });
      };
      await assert.rejects(restoreReplica({ from: paused, to: join(dir, "early.db"), at: early, clock }), (e) => {
        assert.ok(isNinesError(e, REPLICA_ERRORS.segmentMissing), String(e));
        assert.match(
          (e as Error).message,
          /snapshot 0 \(generations\/.+\/snapshots\/0000000000-.+\.snapshot in .+\) disappeared/,
        );
        return true;
      });
    } finally {
      await replicator.stop();
      db.close();
    }
  });
});
