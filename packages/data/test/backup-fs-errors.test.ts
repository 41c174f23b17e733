import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError } from "@nines/core";
import Database from "better-sqlite3";
import { listBackups } from "../src/backup/catalog.js";
import { createBackup } from "../src/backup/create-backup.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { verifyBackup } from "../src/backup/verify/verify-backup.js";

const CHILD = fileURLToPath(new URL("./support/backup-as-child.ts", import.meta.url));

/**
 * What a backup, restore or verification of this process left in the temporary folder: staging folders
 * whose lease names this process, and the folders older versions made with mkdtemp (other test files
 * running meanwhile make their own, longer names).
 */
function ownTemporaries(): string[] {
  return readdirSync(tmpdir()).filter((name) => {
    if (/^nines-(backup|verify|restore|owner)-[A-Za-z0-9]{6}$/.test(name)) return true;
    if (!name.startsWith(".nines-staging-")) return false;
    try {
      const lease = JSON.parse(readFileSync(join(tmpdir(), name, "lease.json"), "utf8")) as {
        owner?: { pid?: number };
      };
      return lease.owner?.pid === process.pid;
    } catch {
      return false;
    }
  });
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isNinesError(error, code), `expected ${code}, got ${String(error)}`);
    assert.match(error.message, message);
    assert.ok(error.hint, "a hint says what to do");
    return true;
  });
}

describe("file-system errors are coded errors with hints, and leave nothing behind", () => {
  let root = "";
  let db = "";
  let before_: string[] = [];
  before(() => {
    root = mkdtempSync(join(tmpdir(), "nines-fs-errors-"));
    chmodSync(root, 0o755); // a child running as another user reads the database here
    db = join(root, "app.db");
    const live = new Database(db);
    live.exec("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2)");
    live.close();
    chmodSync(db, 0o644);
    before_ = ownTemporaries();
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    assert.deepEqual(ownTemporaries(), before_, "no temporary folder was left behind");
  });

  it("backup --to a file", async () => {
    const file = join(root, "not-a-folder");
    writeFileSync(file, "x");
    await rejectsWith(
      createBackup({ source: db, targets: [new LocalDirTarget(file)] }),
      BACKUP_ERRORS.targetInvalid,
      /is a file, not a folder/,
    );
  });

  it("backup --to a dangling symbolic link", async () => {
    const link = join(root, "dangling");
    symlinkSync(join(root, "nowhere", "backups"), link);
    await rejectsWith(
      createBackup({ source: db, targets: [new LocalDirTarget(link)] }),
      BACKUP_ERRORS.targetInvalid,
      /symbolic link to .*nowhere.*, which does not exist/,
    );
    assert.equal(existsSync(join(root, "nowhere")), false);
  });

  it("backup --to a folder under a file", async () => {
    const file = join(root, "plain-file");
    writeFileSync(file, "x");
    await rejectsWith(
      createBackup({ source: db, targets: [new LocalDirTarget(join(file, "backups"))] }),
      BACKUP_ERRORS.targetInvalid,
      /cannot create the backup folder .*: a part of the path is a file/,
    );
  });

  it("backup --to a read-only folder (run as a user who may not write it)", () => {
    const readOnly = join(root, "read-only");
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    // root may write anywhere: the backup runs as 'nobody' then, a user for whom the folder is read-only.
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const run = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, db, readOnly], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
      env: { ...process.env, HOME: root },
      ...asOther,
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { code?: string; message?: string };
    assert.equal(result.code, BACKUP_ERRORS.targetFailed, run.stdout);
    assert.match(result.message ?? "", /cannot write in the backup folder .*read-only: permission denied \(EACCES\)/);
    assert.deepEqual(readdirSync(readOnly), []);
  });

  it("verify --scratch a missing folder writes no record", async () => {
    const target = new LocalDirTarget(join(root, "good"));
    await createBackup({ source: db, targets: [target] });
    await rejectsWith(
      verifyBackup({ target, scratch: join(root, "no-such-scratch") }),
      BACKUP_ERRORS.destinationInvalid,
      /scratch folder .*no-such-scratch does not exist/,
    );
    assert.equal(existsSync(join(root, "good", "verifications")), false);
  });

  it("restore --to under a file", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    await rejectsWith(
      restoreBackup({ from: new LocalDirTarget(join(root, "good")), to: join(file, "restored.db") }),
      BACKUP_ERRORS.destinationInvalid,
      /restore folder/,
    );
  });

  it("listing a folder that does not exist is an error, not zero backups", async () => {
    await rejectsWith(
      listBackups(new LocalDirTarget(join(root, "missing"))),
      BACKUP_ERRORS.locationMissing,
      /does not exist/,
    );
    const file = join(root, "listed-file");
    writeFileSync(file, "x");
    await rejectsWith(listBackups(new LocalDirTarget(file)), BACKUP_ERRORS.targetInvalid, /is a file/);
  });
});
