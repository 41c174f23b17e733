import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, systemClock } from "@nines/core";
import pg from "pg";
import { LocalPostgres } from "../src/postgres/local-postgres.js";
import { restoreToPointInTime, takeBaseBackup, walArchiving } from "../src/postgres/point-in-time.js";
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

describe("point-in-time recovery from archived WAL", postgresBinariesOrSkip(), () => {
  let dir = "";
  let archive = "";
  let primary: LocalPostgres;
  const restored: LocalPostgres[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nines-pitr-"));
    chmodSync(dir, 0o755);
    archive = join(dir, "wal");
    mkdirSync(archive);
    primary = await LocalPostgres.init({ dir: join(dir, "primary"), settings: walArchiving(archive, 60) });
    await primary.chownForServer(archive);
    await primary.start();
    await query(primary.url(), "create table items (id integer primary key, name text not null)");
    await query(primary.url(), "insert into items select g, 'item ' || g from generate_series(1, 1000) g");
    await takeBaseBackup(primary, join(dir, "base"));
    // Written after the base backup: only the WAL archive can bring these back.
    await query(primary.url(), "insert into items select g, 'item ' || g from generate_series(1001, 2000) g");
    await query(primary.url(), "select pg_create_restore_point('before-mistake')");
    await query(primary.url(), "delete from items where id > 10");
    const segment = await query(primary.url(), "select pg_walfile_name(pg_switch_wal()) as name");
    await waitForFile(join(archive, String(segment.rows[0]?.name)));
  });

  after(async () => {
    for (const server of restored) await server.crash();
    await primary?.crash();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("brings back rows deleted by mistake, including those written after the base backup", async () => {
    const { server, restoreMs } = await restoreToPointInTime({
      baseBackupDir: join(dir, "base"),
      walArchiveDir: archive,
      targetDir: join(dir, "restored"),
      target: { name: "before-mistake" },
    });
    restored.push(server);
    const count = await query(server.url(), "select count(*)::int as n, max(id) as top from items");
    assert.deepEqual(count.rows[0], { n: 2000, top: 2000 });
    assert.ok(restoreMs > 0 && restoreMs < 120_000);
    // The source was not touched: the mistake is still there, the restore went to a new place.
    const source = await query(primary.url(), "select count(*)::int as n from items");
    assert.equal(source.rows[0]?.n, 10);
    // The restored server is a writable primary of its own.
    await query(server.url(), "insert into items values (5000, 'after restore')");
  });

  it("refuses to restore over an existing folder or from something that is not a base backup", async () => {
    await assert.rejects(
      restoreToPointInTime({
        baseBackupDir: join(dir, "base"),
        walArchiveDir: archive,
        targetDir: join(dir, "primary"),
        target: { name: "before-mistake" },
      }),
      (e: unknown) => isNinesError(e, "NINES_DATA_RESTORE_TARGET_EXISTS"),
    );
    await assert.rejects(
      restoreToPointInTime({
        baseBackupDir: archive,
        walArchiveDir: archive,
        targetDir: join(dir, "nowhere"),
        target: { name: "before-mistake" },
      }),
      (e: unknown) => isNinesError(e, "NINES_DATA_BACKUP_INVALID"),
    );
    assert.equal(existsSync(join(dir, "nowhere")), false);
  });
});
