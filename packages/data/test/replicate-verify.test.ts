// verifyReplica: the latest point restored into scratch space and checked,
// its measured RTO and RPO recorded beside the replica in the format of
// backup verifications, so the age check and `tested:` work the same.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, it } from "node:test";
import { isNinesError } from "@nines/core";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { checkVerificationAge } from "../src/backup/verify/check-verification-age.js";
import { listVerifications } from "../src/backup/verify/verification-record.js";
import { listReplica } from "../src/replicate/layout/replica-catalog.js";
import { replicate } from "../src/replicate/replicate.js";
import { verifyReplica } from "../src/replicate/verify/verify-replica.js";
import { commitOne, openAppDb, tempDir } from "./support/replica-fixtures.js";

const root = tempDir("replica-verify");
after(() => rmSync(root, { recursive: true, force: true }));

it("records a passing verification with RTO and RPO, and a failing one naming the damaged segment", async () => {
  const file = join(root, "app.db");
  const db = openAppDb(file);
  const key = Buffer.alloc(32, 9);
  const target = new LocalDirTarget(join(root, "replica"));
  const replicator = await replicate({ db: file, targets: [target], intervalMs: 20, encryption: { key } });
  try {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) commitOne(db);
      await replicator.sync();
    }
  } finally {
    await replicator.stop();
  }
  await assert.rejects(checkVerificationAge({ target, maxAgeMs: 60_000 }), (e) =>
    isNinesError(e, BACKUP_ERRORS.verifyStale),
  );
  const synced = Date.now();
  const { record, restore } = await verifyReplica({ target, key, scratch: root });
  assert.equal(record.ok, true, record.problems.join("; "));
  assert.deepEqual(record.actualRows, { ledger: 30, totals: 1 });
  assert.ok(record.rtoMs > 0);
  assert.ok(record.rpoMs >= 0 && record.rpoMs <= Date.now() - synced + 2000, `RPO ${record.rpoMs} ms`);
  assert.equal(record.rpoBasis, "newest-data");
  assert.match(record.backupId, /^\d{8}T\d{9}Z-[0-9a-f]{6}\.\d{10}$/);
  assert.equal(restore?.transactions !== undefined, true);
  const records = await listVerifications(target);
  assert.equal(records.length, 1);
  assert.equal((await checkVerificationAge({ target, maxAgeMs: 60_000 })).last.backupId, record.backupId);

  // Damage the last segment: the verification fails, says which object, and is recorded as failed.
  const g = (await listReplica(target)).generations.at(-1);
  const last = g?.segments.at(-1);
  assert.ok(last);
  const path = join(root, "replica", ...last.key.split("/"));
  const bytes = readFileSync(path);
  bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0xff;
  writeFileSync(path, bytes);
  const failed = await verifyReplica({ target, key, scratch: root });
  assert.equal(failed.record.ok, false);
  assert.match(failed.record.problems.join(" "), new RegExp(`segment ${last.seq} \\(${last.key}`));
  assert.equal((await listVerifications(target)).length, 2);
  db.close();
});
