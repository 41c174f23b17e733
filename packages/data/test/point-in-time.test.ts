import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, type Progress, systemClock } from "@nines/core";
import pg from "pg";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { takeBaseBackup } from "../src/postgres/base-backup.js";
import { LocalPostgres } from "../src/postgres/local-postgres.js";
import { restoreToPointInTime } from "../src/postgres/point-in-time.js";
import { walArchiving } from "../src/postgres/wal-archiving.js";
import { postgresBinariesOrSkip } from "./support/server-binaries.js";

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function waitForFile(path: string): Promise<void> {
  const deadline = systemClock.now() + 20_000;
  while (!existsSync(path)) {
    if (systemClock.now() > deadline) throw new Error(`${path} was not archived within 20 s`);
    await systemClock.sleep(50);
  }
}

// The server stands for one the user already runs: the library sees only its URL and the archive's folder.
describe("point-in-time recovery of a server named by its URL", postgresBinariesOrSkip(), () => {
  let dir = "";
  let archive = "";
  let url = "";
  let primary: LocalPostgres;
  const restored: LocalPostgres[] = [];
  const progress: Progress[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nines-pitr-"));
    chmodSync(dir, 0o755);
    archive = join(dir, "wal");
    mkdirSync(archive);
    primary = await LocalPostgres.init({ dir: join(dir, "primary"), settings: walArchiving(archive) });
    await primary.chownForServer(archive);
    await primary.start();
    url = primary.url();
    await query(url, "create table items (id integer primary key, name text not null)");
    await query(url, "insert into items select g, 'item ' || g from generate_series(1, 1000) g");
    const base = await takeBaseBackup({ source: url, dir: join(dir, "base"), onProgress: (p) => progress.push(p) });
    assert.match(base.startLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.equal(base.archiving.mode, "on");
    // Written after the base backup: only the WAL archive can bring these back.
    await query(url, "insert into items select g, 'item ' || g from generate_series(1001, 2000) g");
    await query(url, "select pg_create_restore_point('before-mistake')");
    await query(url, "delete from items where id > 10");
    const segment = await query(url, "select pg_walfile_name(pg_switch_wal()) as name");
    await waitForFile(join(archive, String(segment.rows[0]?.name)));
  });

  after(async () => {
    for (const server of restored) await server.crash();
    await primary?.crash();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("takes the base backup over the replication protocol, with progress in bytes", () => {
    assert.ok(existsSync(join(dir, "base", "PG_VERSION")));
    assert.ok(existsSync(join(dir, "base", "backup_label")));
    const copy = progress.filter((p) => p.phase === "copy" && p.unit === "bytes");
    assert.ok(copy.length > 0, "pg_basebackup's progress came through");
    assert.ok(copy.every((p) => p.total !== null && p.done <= p.total));
  });

  it("brings back rows deleted by mistake, including those written after the base backup", async () => {
    const { server, restoreMs } = await restoreToPointInTime({
      baseBackupDir: join(dir, "base"),
      walArchiveDir: archive,
      targetDir: join(dir, "restored"),
      target: { name: "before-mistake" },
    });
    assert.ok(server);
    restored.push(server);
    const count = await query(server.url(), "select count(*)::int as n, max(id) as top from items");
    assert.deepEqual(count.rows[0], { n: 2000, top: 2000 });
    assert.ok(restoreMs > 0 && restoreMs < 120_000);
    // The source was not touched: the mistake is still there, the restore went to a new place.
    const source = await query(url, "select count(*)::int as n from items");
    assert.equal(source.rows[0]?.n, 10);
    // The restored server is a writable primary of its own.
    await query(server.url(), "insert into items values (5000, 'after restore')");
  });

  it("can leave a stopped, recovered data directory with the base backup's own configuration", async () => {
    const target = join(dir, "restored-stopped");
    const result = await restoreToPointInTime({
      baseBackupDir: join(dir, "base"),
      walArchiveDir: archive,
      targetDir: target,
      target: { name: "before-mistake" },
      keepRunning: false,
    });
    assert.equal(result.server, undefined);
    assert.equal(existsSync(join(target, "recovery.signal")), false, "recovery finished and was promoted");
    assert.equal(existsSync(join(target, "postmaster.pid")), false, "the server was stopped");
    for (const name of ["postgresql.auto.conf", "pg_hba.conf"]) {
      assert.equal(readFileSync(join(target, name), "utf8"), readFileSync(join(dir, "base", name), "utf8"), name);
    }
    // Started again as the user would (here with the harness), it holds the recovered rows.
    const again = await LocalPostgres.fromDirectory({ dir: target });
    restored.push(again);
    await again.start();
    const count = await query(again.url(), "select count(*)::int as n from items");
    assert.equal(count.rows[0]?.n, 2000);
  });

  it("refuses an existing target, something that is not a base backup, and a new base backup into a full folder", async () => {
    await assert.rejects(
      restoreToPointInTime({
        baseBackupDir: join(dir, "base"),
        walArchiveDir: archive,
        targetDir: join(dir, "primary"),
        target: { name: "before-mistake" },
      }),
      (e: unknown) => isNinesError(e, BACKUP_ERRORS.restoreExists),
    );
    await assert.rejects(
      restoreToPointInTime({
        baseBackupDir: archive,
        walArchiveDir: archive,
        targetDir: join(dir, "nowhere"),
        target: { name: "before-mistake" },
      }),
      (e: unknown) => isNinesError(e, BACKUP_ERRORS.baseInvalid),
    );
    assert.equal(existsSync(join(dir, "nowhere")), false);
    await assert.rejects(takeBaseBackup({ source: url, dir: join(dir, "base") }), (e: unknown) =>
      isNinesError(e, BACKUP_ERRORS.destinationInvalid),
    );
  });

  it("says so when replay cannot reach the target, and leaves no half-restored folder", async () => {
    await assert.rejects(
      restoreToPointInTime({
        baseBackupDir: join(dir, "base"),
        walArchiveDir: archive,
        targetDir: join(dir, "never"),
        target: { name: "no-such-restore-point" },
      }),
      (e: unknown) => isNinesError(e, BACKUP_ERRORS.recoveryFailed) && /recovery/i.test(e.message),
    );
    assert.equal(existsSync(join(dir, "never")), false);
  });
});

describe("a server that does not archive its WAL", () => {
  it("is refused before anything is copied", {
    skip: process.env["NINES_PG_URL"] ? false : "NINES_PG_URL is not set",
  }, async (t) => {
    const server = process.env["NINES_PG_URL"] as string;
    const mode = (await query(server, "show archive_mode")).rows[0]?.archive_mode;
    if (mode !== "off") {
      t.skip("the server at NINES_PG_URL archives its WAL: the refusal cannot be shown on it");
      return;
    }
    const folder = mkdtempSync(join(tmpdir(), "nines-pitr-refused-"));
    try {
      await assert.rejects(takeBaseBackup({ source: server, dir: join(folder, "base") }), (e: unknown) => {
        assert.ok(isNinesError(e, BACKUP_ERRORS.walNotArchived), String(e));
        assert.match(e.hint ?? "", /archive_mode = on/);
        return true;
      });
      assert.equal(existsSync(join(folder, "base")), false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
