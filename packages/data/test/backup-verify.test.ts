import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, ManualClock, SeededRandom } from "@nines/core";
import Database from "better-sqlite3";
import { listBackups } from "../src/backup/catalog.js";
import { createBackup } from "../src/backup/create-backup.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import type { BackupManifest } from "../src/backup/manifest.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { applyRetention } from "../src/backup/retention/apply-retention.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { S3Target } from "../src/backup/targets/s3-target.js";
import { checkVerificationAge, lastVerified } from "../src/backup/verify/check-verification-age.js";
import { listVerifications, verificationStatus } from "../src/backup/verify/verification-record.js";
import { verifyBackup } from "../src/backup/verify/verify-backup.js";
import { S3RVER_CREDENTIALS, startS3rver } from "./support/s3rver.js";

const DAY = 86_400_000;
let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "nines-backup-verify-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

function makeDb(file: string, rows: number, at: number): void {
  const db = new Database(file);
  db.exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO events (at) VALUES (?)");
  for (let i = 0; i < rows; i++) insert.run(at);
  db.close();
}

describe("restore verification", () => {
  it("records RTO and RPO beside the backups and alerts when the last success is too old", async () => {
    const dir = mkdtempSync(join(root, "verify-"));
    const db = join(dir, "app.db");
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    makeDb(db, 100, clock.now());
    const target = new LocalDirTarget(join(dir, "backups"));

    // No folder yet: a wrong path, not "untested".
    await assert.rejects(checkVerificationAge({ target, maxAgeMs: 7 * DAY, clock }), (e: unknown) =>
      isNinesError(e, BACKUP_ERRORS.locationMissing),
    );
    await clock.advance(2 * 3_600_000); // the newest row is two hours old when the backup is taken
    const { manifest } = await createBackup({
      source: db,
      targets: [target],
      clock,
      random: new SeededRandom(1),
      newestColumn: "events.at",
    });
    await assert.rejects(checkVerificationAge({ target, maxAgeMs: 7 * DAY, clock }), (e: unknown) => {
      assert.ok(isNinesError(e, BACKUP_ERRORS.verifyStale));
      assert.match(e.message, /untested/);
      return true;
    });
    await clock.advance(DAY);
    const { record } = await verifyBackup({ target, clock });
    assert.equal(record.ok, true, record.problems.join("; "));
    assert.equal(record.backupId, manifest.id);
    assert.equal(record.rpoBasis, "newest-data");
    assert.equal(record.rpoMs, DAY + 2 * 3_600_000, "RPO is the age of the newest data in the backup");
    assert.equal(record.rtoMs, 0, "RTO is measured on the injected clock (a manual one here)");
    assert.deepEqual(record.actualRows, { events: 100 });
    assert.deepEqual(
      (await listVerifications(target)).map((r) => r.verifiedAt),
      [record.verifiedAt],
    );
    assert.equal((await lastVerified(target))?.verifiedAt, new Date(Date.UTC(2026, 10, 2, 2)).toISOString());

    const fresh = await checkVerificationAge({ target, maxAgeMs: 7 * DAY, clock });
    assert.equal(fresh.ageMs, 0);
    await clock.advance(8 * DAY);
    await assert.rejects(checkVerificationAge({ target, maxAgeMs: 7 * DAY, clock }), (e: unknown) => {
      assert.ok(isNinesError(e, BACKUP_ERRORS.verifyStale));
      assert.match(e.message, /8\.0 days ago/);
      return true;
    });
  });

  it("fails (and records the failure) when the newest backup is corrupt", async () => {
    const dir = mkdtempSync(join(root, "verify-bad-"));
    const db = join(dir, "app.db");
    makeDb(db, 10, 0);
    const target = new LocalDirTarget(join(dir, "backups"));
    const { manifest } = await createBackup({ source: db, targets: [target] });
    const file = join(dir, "backups", manifest.id, "data.sqlite");
    writeFileSync(file, readFileSync(file).subarray(0, 4096));
    const { record } = await verifyBackup({ target });
    assert.equal(record.ok, false);
    assert.match(record.problems[0] ?? "", /truncated/);
    assert.equal(await lastVerified(target), undefined, "a failed verification proves nothing");
  });

  it("finds a row-count mismatch between the manifest and the restored copy", async () => {
    const dir = mkdtempSync(join(root, "verify-count-"));
    const db = join(dir, "app.db");
    makeDb(db, 10, 0);
    const target = new LocalDirTarget(join(dir, "backups"));
    const { manifest } = await createBackup({ source: db, targets: [target] });
    // A manifest that lies about the data (checksum still right): verification must notice.
    const key = `${manifest.id}/manifest.json`;
    await target.put(key, {
      bytes: new TextEncoder().encode(JSON.stringify({ ...manifest, rowCounts: { events: 11 } })),
    });
    const { record } = await verifyBackup({ target });
    assert.equal(record.ok, false);
    assert.match(record.problems.join("\n"), /manifest says 11 rows, restored copy has 10/);
    await target.put(key, {
      bytes: new TextEncoder().encode(JSON.stringify({ ...manifest, rowCounts: { events: 1 } })),
    });
    const again = await verifyBackup({ target });
    assert.match(again.record.problems.join("\n"), /manifest says 1 row, restored copy has 10/);
  });
});

it("keeps the backup in the targets that work when another fails, and says which", async () => {
  const dir = mkdtempSync(join(root, "partial-"));
  const db = join(dir, "app.db");
  makeDb(db, 5, 0);
  const local = new LocalDirTarget(join(dir, "region-b"));
  // Nothing listens on port 1 of loopback: the S3 target fails with connection refused.
  const broken = new S3Target({ bucket: "backups", endpoint: "http://127.0.0.1:1", credentials: S3RVER_CREDENTIALS });
  await assert.rejects(createBackup({ source: db, targets: [broken, local] }), (e: unknown) => {
    assert.ok(isNinesError(e, BACKUP_ERRORS.targetFailed));
    assert.match(e.message, /1 of 2 targets/);
    assert.deepEqual(e.details["stored"], [local.location]);
    return true;
  });
  await broken.close();
  assert.equal((await listBackups(local)).backups.length, 1);
  await restoreBackup({ from: local, to: join(dir, "restored.db") });
});

it("backs up to a local directory and S3 at once, restores from S3, and applies retention", async () => {
  const s3 = await startS3rver(["backups"]);
  try {
    const dir = mkdtempSync(join(root, "s3-"));
    const db = join(dir, "app.db");
    const clock = new ManualClock(Date.UTC(2026, 10, 1, 12));
    const local = new LocalDirTarget(join(dir, "region-b"));
    const remote = new S3Target({
      bucket: "backups",
      prefix: "app",
      endpoint: s3.endpoint,
      credentials: S3RVER_CREDENTIALS,
    });
    const random = new SeededRandom(7);
    for (let day = 0; day < 5; day++) {
      makeDb(db, 10, clock.now());
      await createBackup({ source: db, targets: [local, remote], clock, random });
      await clock.advance(DAY);
    }
    const fromS3 = await listBackups(remote);
    assert.deepEqual(
      fromS3.backups.map((b) => b.id),
      (await listBackups(local)).backups.map((b) => b.id),
    );
    const to = join(dir, "from-s3.db");
    const { manifest } = await restoreBackup({ from: remote, to });
    assert.equal(manifest.rowCounts["events"], 50);

    // Verify the second-newest only, so the last good backup is not the newest one.
    const verified = fromS3.backups[1]?.id as string;
    // Verified from the local copy, recorded beside both copies: the same backup (id and checksum) in S3 counts.
    const verification = await verifyBackup({ target: local, copies: [remote], id: verified, clock });
    assert.equal(verification.record.ok, true);
    assert.deepEqual(verification.recordedIn, [local.location, remote.location]);
    const plan = await applyRetention(remote, { keepLast: 2, keepDaily: 0, keepWeekly: 0 });
    const left = (await listBackups(remote)).backups.map((b) => b.id);
    assert.deepEqual(left, [verified, ...fromS3.backups.slice(3).map((b) => b.id)]);
    assert.deepEqual(plan.remove.sort(), [fromS3.backups[0]?.id, fromS3.backups[2]?.id].sort());
    await remote.close();
  } finally {
    await s3.stop();
  }
});

describe("verification records are about the backup, not the place", () => {
  it("a verification in one target counts for the same backup in another, and a failure is shown", async () => {
    const dir = mkdtempSync(join(root, "copies-"));
    const db = join(dir, "app.db");
    makeDb(db, 20, 0);
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const a = new LocalDirTarget(join(dir, "region-a"));
    const b = new LocalDirTarget(join(dir, "region-b"));
    const { manifest } = await createBackup({ source: db, targets: [a, b], clock, random: new SeededRandom(3) });
    // A different backup under the same id in a third place: a record of the first must not count for it.
    const c = new LocalDirTarget(join(dir, "region-c"));
    makeDb(db, 5, 0);
    const other = await createBackup({ source: db, targets: [c], clock, random: new SeededRandom(3) });
    assert.equal(other.manifest.id, manifest.id, "same clock and seed: same id");
    assert.notEqual(other.manifest.checksum.value, manifest.checksum.value);

    await clock.advance(60_000);
    const { record, recordedIn } = await verifyBackup({ target: a, copies: [b, c], clock });
    assert.equal(record.ok, true, record.problems.join("; "));
    assert.deepEqual(record.checksum, manifest.checksum);
    assert.deepEqual(recordedIn, [a.location, b.location], "not recorded beside the other backup with that id");
    const inB = verificationStatus(await listVerifications(b), (await listBackups(b)).backups[0] as BackupManifest);
    assert.equal(inB.lastOk?.verifiedAt, record.verifiedAt, "the copy in region-b counts as verified");
    assert.equal(await lastVerified(c), undefined);

    // A record about the same id with other bytes is ignored when matched against this backup.
    const foreign = { ...record, checksum: other.manifest.checksum };
    assert.equal(verificationStatus([foreign], manifest).lastOk, undefined);

    // A failed verification of the copy in b is recorded and shown as the newest failure.
    await clock.advance(60_000);
    const file = join(dir, "region-b", manifest.id, "data.sqlite");
    writeFileSync(file, readFileSync(file).subarray(0, 1024));
    const failed = await verifyBackup({ target: b, clock });
    assert.equal(failed.record.ok, false);
    const status = verificationStatus(await listVerifications(b), manifest);
    assert.equal(status.lastFailed?.verifiedAt, failed.record.verifiedAt);
    assert.match(status.lastFailed?.problems[0] ?? "", /truncated/);
    assert.equal(status.lastOk?.verifiedAt, record.verifiedAt);
  });
});
