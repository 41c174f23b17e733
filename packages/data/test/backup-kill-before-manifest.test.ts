// A backup killed between storing its data and writing its manifest: a real
// process, stopped at that very point by NINES_TEST_PAUSE_BEFORE_MANIFEST,
// then SIGKILLed. Its data must never appear under the backup's own name
// in a folder (only in a staging folder the next operation removes), and on
// S3 (no rename) the manifest-less prefix must be recognised as abandoned.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ManualClock, systemClock } from "@nines/core";
import { listBackups } from "../src/backup/catalog.js";
import { createBackup } from "../src/backup/create-backup.js";
import { isBackupId } from "../src/backup/manifest.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { applyRetention } from "../src/backup/retention/apply-retention.js";
import { LEASE_STALE_MS } from "../src/backup/staging/lease.js";
import { currentProcess } from "../src/backup/staging/process-identity.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { S3Target } from "../src/backup/targets/s3-target.js";
import { verifyBackup } from "../src/backup/verify/verify-backup.js";
import { createBank } from "./support/backup-fixtures.js";
import { S3RVER_CREDENTIALS, startS3rver } from "./support/s3rver.js";

const CHILD = fileURLToPath(new URL("./support/backup-child.ts", import.meta.url));
/** Runs a backup in a child that stops after storing the data, before the manifest (writing `marker`); resolves once it is stopped there. */
async function pausedBackup(
  source: string,
  to: string,
  marker: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, "backup", source, to], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, ...env, NINES_TEST_PAUSE_BEFORE_MANIFEST: marker },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const deadline = systemClock.now() + 60_000;
  while (!existsSync(marker)) {
    if (child.exitCode !== null) throw new Error(`the backup ended (${child.exitCode}) before its manifest point`);
    if (systemClock.now() > deadline) throw new Error("the backup did not reach its manifest point within 60 s");
    await systemClock.sleep(5);
  }
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

describe("a backup killed after storing its data, before its manifest", () => {
  let root = "";
  let db = "";
  let dbBytes = 0;
  let s3: Awaited<ReturnType<typeof startS3rver>> | undefined;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "nines-kill-manifest-"));
    db = join(root, "bank.db");
    createBank(db, { paddingMb: 8 });
    dbBytes = statSync(db).size;
    s3 = await startS3rver(["backups"]);
  });
  after(async () => {
    await s3?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("in a folder: leaves only a staging folder, never a backup folder, and the next backup removes it", async () => {
    const dir = join(root, "backups");
    const child = await pausedBackup(db, dir, join(root, "paused-folder"));
    try {
      await kill(child);
      const names = readdirSync(dir);
      assert.deepEqual(
        names.filter((n) => isBackupId(n)),
        [],
        `no folder under a backup's name: ${names.join(", ")}`,
      );
      const target = new LocalDirTarget(dir);
      const catalog = await listBackups(target);
      assert.deepEqual([catalog.backups, catalog.incomplete], [[], []]);
      const left = catalog.staging;
      assert.ok(left.length > 0 && left.every((s) => s.state === "abandoned"), JSON.stringify(left));
      assert.ok(
        left.reduce((n, s) => n + s.bytes, 0) >= dbBytes,
        "the stored data is in the staging folders, which count it",
      );

      const { manifest, removed } = await createBackup({ source: db, targets: [target] });
      assert.deepEqual(removed.map((r) => r.name).sort(), left.map((s) => s.name).sort());
      assert.deepEqual(readdirSync(dir), [manifest.id], "the new backup alone");
    } finally {
      await kill(child);
    }
  });

  it("on S3: the prefix without a manifest is abandoned once its writer is gone, and the next backup removes it", async () => {
    const env = {
      AWS_ENDPOINT_URL: s3?.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
    };
    const target = new S3Target({
      bucket: "backups",
      prefix: "killed",
      endpoint: s3?.endpoint as string,
      credentials: S3RVER_CREDENTIALS,
    });
    const child = await pausedBackup(db, "s3://backups/killed", join(root, "paused-s3"), env);
    try {
      const live = await listBackups(target);
      assert.equal(live.incomplete.length, 1);
      const [writing] = live.incomplete;
      assert.equal(writing?.state, "live", "its writer still runs: never removed");
      assert.ok((writing?.bytes ?? 0) >= dbBytes, `its size is shown (${writing?.bytes} bytes)`);
      await createBackup({ source: db, targets: [target] });
      assert.deepEqual(
        (await listBackups(target)).incomplete.map((i) => i.id),
        [writing?.id],
        "a live writer's prefix survives another backup",
      );

      await kill(child);
      const dead = await listBackups(target);
      assert.deepEqual(
        dead.incomplete.map((i) => [i.id, i.state]),
        [[writing?.id, "abandoned"]],
      );
      const { removed } = await createBackup({ source: db, targets: [target] });
      // Its snapshot's staging folder in the temporary folder goes too.
      assert.deepEqual(
        removed.filter((r) => isBackupId(r.name)).map((r) => [r.name, r.operation, r.bytes >= dbBytes]),
        [[writing?.id, "backup", true]],
      );
      const after = await listBackups(target);
      assert.deepEqual([after.incomplete, after.backups.length], [[], 2]);
      assert.deepEqual(
        (await target.list()).filter((k) => k.startsWith(`${writing?.id}/`)),
        [],
      );
    } finally {
      await kill(child);
      await target.close();
    }
  });
});

describe("backup folders without a manifest left by older versions", () => {
  let root = "";
  let db = "";
  before(() => {
    root = mkdtempSync(join(tmpdir(), "nines-old-incomplete-"));
    db = join(root, "bank.db");
    createBank(db, { paddingMb: 1 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A folder as an older version left it when killed between its data and its manifest. */
  function oldStyle(dir: string, id: string, bytes: number): string {
    const folder = join(dir, id);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "data.sqlite"), Buffer.alloc(bytes, 1));
    return folder;
  }

  it("are listed with their size, kept while fresh, and removed by the next backup, restore, verify and retention once stale", async () => {
    const dir = join(root, "backups");
    const target = new LocalDirTarget(dir);
    await createBackup({ source: db, targets: [target] });
    const fresh = oldStyle(dir, "20261129T071500000Z-00000a", 3 * 1024 * 1024);
    const listed = await listBackups(target);
    assert.deepEqual(
      listed.incomplete.map((i) => [i.id, i.bytes, i.state]),
      [["20261129T071500000Z-00000a", 3 * 1024 * 1024, "live"]],
    );
    await createBackup({ source: db, targets: [target] });
    assert.ok(existsSync(fresh), "a fresh one may be a writer's: kept");

    // Past the lease timeout with nothing changed in it, its writer is gone.
    const later = new ManualClock(Date.now() + LEASE_STALE_MS + 60_000);
    assert.equal((await listBackups(target, { clock: later })).incomplete[0]?.state, "abandoned");
    const backup = await createBackup({ source: db, targets: [target], clock: later });
    assert.deepEqual(
      backup.removed.map((r) => [r.name, r.bytes]),
      [["20261129T071500000Z-00000a", 3 * 1024 * 1024]],
    );
    assert.equal(existsSync(fresh), false);

    const forRestore = oldStyle(dir, "20261129T071500000Z-00000b", 1024);
    const restored = await restoreBackup({ from: target, to: join(root, "restored.db"), clock: later });
    assert.deepEqual(
      restored.removed.map((r) => r.name),
      ["20261129T071500000Z-00000b"],
    );
    assert.equal(existsSync(forRestore), false);

    const forVerify = oldStyle(dir, "20261129T071500000Z-00000c", 1024);
    const { record } = await verifyBackup({ target, clock: later });
    assert.equal(record.ok, true, record.problems.join("; "));
    assert.equal(existsSync(forVerify), false);

    const forRetention = oldStyle(dir, "20261129T071500000Z-00000d", 1024);
    const dry = await applyRetention(
      target,
      { keepLast: 9, keepDaily: 0, keepWeekly: 0 },
      { dryRun: true, clock: later },
    );
    assert.deepEqual(dry.leftovers, ["20261129T071500000Z-00000d"]);
    assert.ok(existsSync(forRetention), "a dry run removes nothing");
    const kept = await applyRetention(target, { keepLast: 9, keepDaily: 0, keepWeekly: 0 });
    assert.deepEqual(kept.leftovers, [], "fresh on the system clock: kept");
    const retained = await applyRetention(target, { keepLast: 9, keepDaily: 0, keepWeekly: 0 }, { clock: later });
    assert.deepEqual(retained.leftovers, ["20261129T071500000Z-00000d"]);
    assert.equal(existsSync(forRetention), false);
    assert.equal((await listBackups(target)).backups.length, 3, "every complete backup is still there");
  });

  it("never removes one whose lease names a live writer, however old", async () => {
    const dir = join(root, "leased");
    const target = new LocalDirTarget(dir);
    const folder = oldStyle(dir, "20261129T071500000Z-00000e", 1024);
    const at = Date.now() - 24 * 3_600_000;
    writeFileSync(
      join(folder, "lease.json"),
      JSON.stringify({ format: 1, operation: "backup", owner: currentProcess(), startedAt: at, renewedAt: at }),
    );
    const later = new ManualClock(Date.now() + 24 * 3_600_000);
    const [info] = (await listBackups(target, { clock: later })).incomplete;
    assert.deepEqual([info?.state, info?.owner?.pid], ["live", process.pid]);
    await createBackup({ source: db, targets: [target], clock: later });
    assert.ok(existsSync(join(folder, "data.sqlite")));
  });
});
