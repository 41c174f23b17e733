import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, it } from "node:test";
import Database from "better-sqlite3";
import { startS3rver } from "../../../../data/test/support/s3rver.js";
import type { Io } from "../../command.js";
import { main } from "../../main.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "nines-cli-backup-"));
  const db = new Database(join(dir, "app.db"));
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, body TEXT)");
  for (let i = 0; i < 20; i++)
    db.prepare("INSERT INTO notes (owner, body) VALUES (?, ?)").run(i % 2 ? "alice" : "bob", `n${i}`);
  db.close();
  writeFileSync(join(dir, "nines-data.json"), JSON.stringify({ tables: { notes: { key: "id", owner: "owner" } } }));
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
  const status = await main(["data", ...argv], io);
  return { status, out, err };
}

it("backs up, lists, restores and verifies from the command line", async () => {
  const first = await nines("backup", "--db", "app.db", "--to", "backups", "--to", "region-b");
  assert.equal(first.status, 0, first.err);
  assert.match(first.out, /backup \d{8}T\d{9}Z-[0-9a-f]{6}: .* 20 rows in 1 table,/);
  assert.match(first.err, /checksum/, "progress goes to stderr");
  const second = await nines("backup", "--db", "app.db", "--to", "backups", "--keep-last", "1");
  assert.equal(second.status, 0, second.err);
  assert.match(second.out, /kept 1, deleted 1/);

  const list = await nines("backups", "--from", "backups");
  assert.equal(list.status, 0);
  assert.match(list.out, /^1 backup in /);

  const restore = await nines("restore", "--from", "region-b", "--to", "restored.db");
  assert.equal(restore.status, 0, restore.err);
  assert.ok(existsSync(join(dir, "restored.db")));
  const again = await nines("restore", "--from", "region-b", "--to", "restored.db");
  assert.equal(again.status, 2);
  assert.match(again.err, /NINES_BACKUP_RESTORE_EXISTS|already exists/);

  const verify = await nines("verify", "--from", "backups", "--max-age", "7d");
  assert.equal(verify.status, 0, verify.err);
  assert.match(verify.out, /verified backup .* RTO [\d.]+ (ms|s), RPO [\d.]+ (ms|s|min|h|d) /);
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
  assert.match(result.out, /restored 10 of 10 rows of 'alice' from backup /);
  assert.match(result.out, /\n {2}notes: 10 of 10 restored, 0 left as they are\n/);

  // The declaration is checked against the live database before anything is downloaded.
  writeFileSync(join(dir, "wrong.json"), JSON.stringify({ tables: { notes: { key: "id", owner: "author" } } }));
  const wrong = await nines(
    "restore",
    "--from",
    "owner-backups",
    "--to",
    "app.db",
    "--owner",
    "alice",
    "--tables",
    "wrong.json",
  );
  assert.equal(wrong.status, 2);
  assert.match(wrong.err, /^error NINES_BACKUP_TABLE_UNKNOWN: table 'notes' in .* has no column 'author'/);
  assert.doesNotMatch(wrong.err, /download/);
  const stray = await nines("restore", "--from", "owner-backups", "--to", "x.db", "--table", "notes");
  assert.equal(stray.status, 2);
  assert.match(stray.err, /go with --owner USER/);
});

it("bad input gets a coded error and changes nothing", async () => {
  const missing = await nines("backup", "--db", "missing.db", "--to", "bad-backups");
  assert.equal(missing.status, 2);
  assert.match(missing.err, /missing\.db does not exist\n {2}hint: /);
  assert.equal(existsSync(join(dir, "bad-backups")), false);

  assert.equal((await nines("backup", "--to", "x")).status, 2);
  assert.match((await nines("backup", "--db", "app.db", "--to", "x", "--bogus")).err, /unknown option '--bogus'/);
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
  const soon = await nines("verify", "--from", "owner-backups", "--max-age", "soon");
  assert.equal(soon.status, 2);
  assert.match(soon.err, /--max-age must be a duration above zero such as 7d, 36h or 2w, got 'soon'/);
  assert.match(soon.err, /hint: .*250ms, 30s, 5m, 1h, 24h, 30d, 2w/, "the hint lists the units");
});

it("prints JSON with verify --check --json, errors included", async () => {
  const fresh = await nines("verify", "--from", "backups", "--check", "--max-age", "7d", "--json");
  assert.equal(fresh.status, 0, fresh.err);
  const { age } = JSON.parse(fresh.out);
  assert.equal(age.maxAgeMs, 7 * 86_400_000);
  assert.ok(age.ageMs >= 0 && age.ageMs < age.maxAgeMs);
  assert.match(age.lastVerifiedAt, /^\d{4}-\d{2}-\d{2}T/);
  const weeks = await nines("verify", "--from", "backups", "--check", "--max-age", "2w", "--json");
  assert.equal(weeks.status, 0, weeks.err);
  assert.equal(JSON.parse(weeks.out).age.maxAgeMs, 14 * 86_400_000, "weeks are the spec format's w");
  const stale = await nines("verify", "--from", "owner-backups", "--check", "--max-age", "7d", "--json");
  assert.equal(stale.status, 1);
  assert.equal(stale.err, "");
  assert.equal(JSON.parse(stale.out).error.code, "NINES_BACKUP_VERIFY_STALE");
});

it("refuses to list a backup folder that does not exist instead of printing 0 backups", async () => {
  const r = await nines("backups", "--from", "backupz");
  assert.equal(r.status, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /^error NINES_BACKUP_LOCATION_MISSING: the backup folder .*backupz does not exist\n {2}hint: /);
  assert.equal(existsSync(join(dir, "backupz")), false);
});

it("file-system errors exit 2 with a coded error and a hint, and leave nothing behind", async () => {
  const before = readdirSync(tmpdir()).filter((n) => n.startsWith(".nines-staging-")).length;
  writeFileSync(join(dir, "a-file"), "x");
  const file = await nines("backup", "--db", "app.db", "--to", "a-file");
  assert.equal(file.status, 2);
  assert.match(
    file.err,
    /^error NINES_BACKUP_TARGET_INVALID: the backup folder .*a-file is a file, not a folder\n {2}hint: /,
  );
  symlinkSync(join(dir, "gone", "backups"), join(dir, "dangling"));
  const dangling = await nines("backup", "--db", "app.db", "--to", "dangling");
  assert.equal(dangling.status, 2);
  assert.match(
    dangling.err,
    /^error NINES_BACKUP_TARGET_INVALID: .*symbolic link to .*gone\/backups, which does not exist/,
  );
  assert.equal(existsSync(join(dir, "gone")), false);
  const scratch = await nines("verify", "--from", "backups", "--scratch", "no-such-dir");
  assert.equal(scratch.status, 2);
  assert.match(scratch.err, /^error NINES_BACKUP_DESTINATION_INVALID: the scratch folder .*no-such-dir does not exist/);
  assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith(".nines-staging-")).length <= before, true);
});

it("shows what killed operations left, removes it with the next backup, and shows verifications of every copy", async () => {
  await nines("backup", "--db", "app.db", "--to", "shown-a", "--to", "shown-b");
  const verify = await nines("verify", "--from", "shown-a", "--from", "shown-b");
  assert.equal(verify.status, 0, verify.err);
  assert.match(verify.out, /recorded in .*shown-a, .*shown-b\n/);
  const inB = await nines("backups", "--from", "shown-b");
  assert.match(inB.out, /verified \d{4}-\d{2}-\d{2}T/, "the copy in shown-b counts as verified");

  // What a backup killed with SIGKILL leaves (the library's tests kill real ones): a staging folder whose writer
  // is gone, and, from an older version killed before its manifest, a backup folder without one.
  const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
  const left = join(dir, "shown-a", ".nines-staging-0123456789ab");
  mkdirSync(left);
  writeFileSync(join(left, "data.sqlite"), Buffer.alloc(2 * 1024 * 1024));
  const owner = { host: hostname(), bootId: "", pid: gone, processStart: "" };
  const at = Date.UTC(2026, 10, 29, 7, 15);
  const lease = JSON.stringify({ format: 1, operation: "backup", owner, startedAt: at, renewedAt: at });
  writeFileSync(join(left, "lease.json"), lease);
  const unfinished = join(dir, "shown-a", "20261129T071500000Z-0abcde");
  mkdirSync(unfinished);
  writeFileSync(join(unfinished, "data.sqlite"), Buffer.alloc(1024 * 1024));
  const listed = await nines("backups", "--from", "shown-a");
  assert.equal(listed.status, 0, listed.err);
  assert.match(
    listed.out,
    /1 staging folder \(2\.0 MB left by killed operations: the next backup, restore, verify or retention removes them\)\n/,
  );
  assert.match(
    listed.out,
    new RegExp(`\\.nines-staging-0123456789ab {2}2\\.0 MB {2}left by a killed backup \\(pid ${gone} on `),
  );
  assert.match(
    listed.out,
    /20261129T071500000Z-0abcde {2}INCOMPLETE \(no manifest, 1\.0 MB\): changed in the last 10 minutes/,
    "an unfinished backup without a lease counts as live while it is fresh",
  );
  writeFileSync(join(unfinished, "lease.json"), lease);
  assert.match(
    (await nines("backups", "--from", "shown-a")).out,
    /20261129T071500000Z-0abcde {2}INCOMPLETE \(no manifest, 1\.0 MB\): left by a killed backup/,
  );

  const next = await nines("backup", "--db", "app.db", "--to", "shown-a");
  assert.equal(next.status, 0, next.err);
  assert.match(next.out, /removed 2 leftovers of killed operations \(3\.0 MB\)/);
  assert.equal(existsSync(left), false);
  assert.equal(existsSync(unfinished), false);

  // A failed verification is shown next to the backup.
  const [id] = readdirSync(join(dir, "shown-b")).filter((n) => /^\d{8}T/.test(n));
  truncateSync(join(dir, "shown-b", id as string, "data.sqlite"), 100);
  assert.equal((await nines("verify", "--from", "shown-b")).status, 1);
  const failed = await nines("backups", "--from", "shown-b");
  assert.match(failed.out, /FAILED verification \d{4}-\d{2}-\d{2}T[^ ]+: restore failed: backup .*truncated/);
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
    assert.match(list.out, /^1 backup in s3:\/\/backups\/app/);
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
