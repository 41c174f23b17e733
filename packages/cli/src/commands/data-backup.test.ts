import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, it } from "node:test";
import Database from "better-sqlite3";
import { startS3rver } from "../../../data/test/support/s3rver.js";
import type { Io } from "../command.js";
import { main } from "../main.js";
import { dataBackupCommands, parseDuration } from "./data-backup.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "nines-cli-backup-"));
  const db = new Database(join(dir, "app.db"));
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, body TEXT)");
  for (let i = 0; i < 20; i++)
    db.prepare("INSERT INTO notes (owner, body) VALUES (?, ?)").run(i % 2 ? "alice" : "bob", `n${i}`);
  db.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function nines(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  return await ninesWith({}, ...argv);
}

async function ninesWith(
  env: NodeJS.ProcessEnv,
  ...argv: string[]
): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += String(c);
  });
  stderr.on("data", (c) => {
    err += String(c);
  });
  const io: Io = { stdout, stderr, env, cwd: dir };
  const status = await main(argv, io, dataBackupCommands);
  return { status, out, err };
}

it("backs up, lists, restores and verifies from the command line", async () => {
  const first = await nines("backup", "--db", "app.db", "--to", "backups", "--to", "region-b");
  assert.equal(first.status, 0, first.err);
  assert.match(first.out, /backup \d{8}T\d{9}Z-[0-9a-f]{6}: .* 20 rows in 1 tables/);
  assert.match(first.err, /checksum/, "progress goes to stderr");
  const second = await nines("backup", "--db", "app.db", "--to", "backups", "--keep-last", "1");
  assert.equal(second.status, 0, second.err);
  assert.match(second.out, /kept 1, deleted 1/);

  const list = await nines("backups", "--from", "backups");
  assert.equal(list.status, 0);
  assert.match(list.out, /^1 backups in /);

  const restore = await nines("restore", "--from", "region-b", "--to", "restored.db");
  assert.equal(restore.status, 0, restore.err);
  assert.ok(existsSync(join(dir, "restored.db")));
  const again = await nines("restore", "--from", "region-b", "--to", "restored.db");
  assert.equal(again.status, 2);
  assert.match(again.err, /NINES_BACKUP_RESTORE_EXISTS|already exists/);

  const verify = await nines("verify", "--from", "backups", "--max-age", "7d");
  assert.equal(verify.status, 0, verify.err);
  assert.match(verify.out, /verified backup .* RTO [\d.]+ s, RPO [\d.]+ h/);
  assert.match(verify.out, /last successful verification/);
  assert.equal(readdirSync(join(dir, "backups", "verifications")).length, 1);
});

it("restores one owner's rows", async () => {
  await nines("backup", "--db", "app.db", "--to", "owner-backups");
  const db = new Database(join(dir, "app.db"));
  db.exec("DELETE FROM notes WHERE owner = 'alice'");
  db.close();
  const result = await nines(
    "restore",
    "--from",
    "owner-backups",
    "--to",
    "app.db",
    "--owner",
    "alice",
    "--table",
    "notes",
  );
  assert.equal(result.status, 0, result.err);
  assert.match(result.out, /restored 10 of 10 rows of 'alice' in notes/);
});

it("bad input gets a coded error and changes nothing", async () => {
  const missing = await nines("backup", "--db", "missing.db", "--to", "bad-backups");
  assert.equal(missing.status, 2);
  assert.match(missing.err, /missing\.db does not exist\n {2}hint: /);
  assert.equal(existsSync(join(dir, "bad-backups")), false);

  assert.equal((await nines("backup", "--to", "x")).status, 2);
  assert.match((await nines("backup", "--db", "app.db", "--to", "x", "--bogus")).err, /Unknown option/);
  const outside = await nines("restore", "--from", "backups", "--to", "never.db", "--id", "../../etc/passwd");
  assert.equal(outside.status, 2);
  assert.match(outside.err, /not a plain path inside the backup folder/);
  const unknown = await nines("restore", "--from", "backups", "--to", "never.db", "--id", "20990101T000000000Z-abcdef");
  assert.match(unknown.err, /no backup with id/);
  assert.equal(existsSync(join(dir, "never.db")), false);

  // Corrupt the only backup: restore refuses it, verify fails with exit 1.
  const [id] = readdirSync(join(dir, "region-b")).filter((n) => /^\d{8}T/.test(n));
  const file = join(dir, "region-b", id as string, "data.sqlite");
  truncateSync(file, 1000);
  const corrupt = await nines("restore", "--from", "region-b", "--to", "never.db");
  assert.equal(corrupt.status, 2);
  assert.match(corrupt.err, /truncated/);
  assert.match(corrupt.err, /every backup .* failed its checks/);
  assert.equal(existsSync(join(dir, "never.db")), false);
  const failed = await nines("verify", "--from", "region-b");
  assert.equal(failed.status, 1);
  assert.match(failed.out, /FAILED backup/);
  writeFileSync(file, readFileSync(join(dir, "app.db")).subarray(0, 0));
});

it("alerts when no verification is recent enough", async () => {
  const stale = await nines("verify", "--from", "owner-backups", "--check", "--max-age", "7d");
  assert.equal(stale.status, 1);
  assert.match(stale.err, /no successful restore verification .* untested/);
  assert.equal((await nines("verify", "--from", "owner-backups", "--max-age", "soon")).status, 2);
});

it("parses durations", () => {
  assert.equal(parseDuration("7d"), 7 * 86_400_000);
  assert.equal(parseDuration("36h"), 36 * 3_600_000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("7"), undefined);
});

it("backs up to and restores from an S3-compatible store with AWS_* settings and --endpoint", async () => {
  const s3 = await startS3rver(["backups"]);
  try {
    const env = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" };
    const backup = await ninesWith(
      env,
      "backup",
      "--db",
      "app.db",
      "--to",
      "s3://backups/app",
      "--endpoint",
      s3.endpoint,
    );
    assert.equal(backup.status, 0, backup.err);
    assert.match(backup.out, /stored in s3:\/\/backups\/app/);
    const list = await ninesWith({ ...env, AWS_ENDPOINT_URL: s3.endpoint }, "backups", "--from", "s3://backups/app");
    assert.match(list.out, /^1 backups in s3:\/\/backups\/app/);
    const restore = await ninesWith(
      env,
      "restore",
      "--from",
      "s3://backups/app",
      "--to",
      "from-s3.db",
      "--endpoint",
      s3.endpoint,
    );
    assert.equal(restore.status, 0, restore.err);
    assert.ok(existsSync(join(dir, "from-s3.db")));
    const noKeys = await ninesWith(
      { AWS_REGION: "us-east-1" },
      "backups",
      "--from",
      "s3://backups/app",
      "--endpoint",
      s3.endpoint,
    );
    assert.notEqual(noKeys.status, 0, "without credentials the store refuses");
  } finally {
    await s3.stop();
  }
});
