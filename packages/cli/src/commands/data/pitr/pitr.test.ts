import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "@nines/core";
import { findPostgresBin, LocalPostgres, openDatabase, walArchiving } from "@nines/data";
import { runMain } from "../../../../test/support/run-main.js";

function serverProgramsOrSkip(): { skip: false } | { skip: string } {
  try {
    findPostgresBin();
    return { skip: false };
  } catch (error) {
    if (process.env["CI"]) throw error;
    return { skip: `PostgreSQL server programs are missing: ${(error as Error).message}` };
  }
}

async function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  const db = await openDatabase(url);
  try {
    return await db.executor.all({ sql: text, parameters: [] });
  } finally {
    await db.close();
  }
}

// The server stands for one the user runs: the commands get its URL and its archive folder, nothing else.
describe("nines data pitr against a server named by its URL", serverProgramsOrSkip(), () => {
  let dir = "";
  let server: LocalPostgres;
  let restored: LocalPostgres | undefined;
  const nines = (...argv: string[]) => runMain(["data", "pitr", ...argv], { cwd: dir });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nines-cli-pitr-"));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "wal"));
    server = await LocalPostgres.init({ dir: join(dir, "server"), settings: walArchiving(join(dir, "wal")) });
    await server.chownForServer(join(dir, "wal"));
    await server.start();
  });

  after(async () => {
    await restored?.crash();
    await server?.crash();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the archive settings, takes a base backup, and restores to a restore point", async () => {
    const settings = await nines("settings", "--wal", "wal", "--archive-timeout", "30s");
    assert.equal(settings.status, 0, settings.err);
    assert.match(
      settings.out,
      /^wal_level = replica\narchive_mode = on\narchive_command = '.*wal''\/%f.*'\narchive_timeout = 30000ms\n$/,
    );

    const url = server.url();
    await sql(url, "create table items (id integer primary key)");
    await sql(url, "insert into items select g from generate_series(1, 100) g");
    const base = await nines("base", "--db", url, "--to", "base");
    assert.equal(base.status, 0, base.err);
    assert.match(
      base.out,
      /^base backup of postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres \(PostgreSQL [\d.]+\) in .*base: replay starts at [0-9A-F]+\/[0-9A-F]+/,
    );
    assert.match(base.err, /nines data pitr base: copy/, "progress on stderr");
    await sql(url, "insert into items select g from generate_series(101, 200) g");
    await sql(url, "select pg_create_restore_point('before-delete')");
    await sql(url, "delete from items");
    const [segment] = await sql(url, "select pg_walfile_name(pg_switch_wal()) as name");
    const archived = join(dir, "wal", String(segment?.["name"]));
    for (const deadline = systemClock.now() + 20_000; !existsSync(archived); await systemClock.sleep(50)) {
      if (systemClock.now() > deadline) throw new Error(`${archived} was not archived in 20 s`);
    }

    const restore = await nines(
      "restore",
      "--base",
      "base",
      "--wal",
      "wal",
      "--to",
      "restored",
      "--name",
      "before-delete",
    );
    assert.equal(restore.status, 0, restore.err);
    assert.match(
      restore.out,
      /^recovered to before-delete in .*restored \(\d+ ms\)\n {2}start it with: pg_ctl -D .*restored start\n$/,
    );
    restored = await LocalPostgres.fromDirectory({ dir: join(dir, "restored") });
    await restored.start();
    assert.deepEqual(await sql(restored.url(), "select count(*)::int as n from items"), [{ n: 200 }]);
    assert.deepEqual(await sql(url, "select count(*)::int as n from items"), [{ n: 0 }], "the source is untouched");
  });

  it("refuses bad input with a coded error and changes nothing", async () => {
    const two = await nines("restore", "--base", "base", "--wal", "wal", "--to", "x", "--name", "a", "--lsn", "0/1");
    assert.equal(two.status, 2);
    assert.match(two.err, /give exactly one target/);
    const notBase = await nines("restore", "--base", "wal", "--wal", "wal", "--to", "x", "--name", "a");
    assert.equal(notBase.status, 2);
    assert.match(notBase.err, /^error NINES_BACKUP_BASE_INVALID: /);
    const exists = await nines("restore", "--base", "base", "--wal", "wal", "--to", "server", "--name", "a");
    assert.match(exists.err, /^error NINES_BACKUP_RESTORE_EXISTS: /);
    const full = await nines("base", "--db", server.url(), "--to", "base");
    assert.match(full.err, /^error NINES_BACKUP_DESTINATION_INVALID: the base backup folder .*base is not empty/);
    const file = await nines("base", "--db", "app.db", "--to", "b2");
    assert.match(file.err, /--db must be a postgres:\/\/ URL/);
    assert.equal(existsSync(join(dir, "x")), false);
    assert.equal(existsSync(join(dir, "b2")), false);
  });
});
