import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, systemClock } from "@nines/core";
import pg from "pg";
import { createBackup } from "../src/backup/create-backup.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { restoreOwnerRows } from "../src/backup/restore-owner-rows.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { verifyBackup } from "../src/backup/verify/verify-backup.js";
import { declareTables } from "../src/lifecycle/declaration.js";

/** PostgreSQL from NINES_PG_URL: a failure in CI when missing, a loud skip elsewhere. */
function postgresUrlOrSkip(): { skip: false } | { skip: string } {
  if (process.env["NINES_PG_URL"]) return { skip: false };
  const reason = "NINES_PG_URL is not set (start one with scripts/postgres.sh)";
  if (process.env["CI"]) throw new Error(`CI needs PostgreSQL for the backup tests: ${reason}`);
  console.warn(`SKIPPING PostgreSQL backup tests: ${reason}`);
  return { skip: reason };
}

function databaseUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

describe("PostgreSQL backups with pg_dump (custom format)", postgresUrlOrSkip(), () => {
  const server = process.env["NINES_PG_URL"] ?? "";
  const suffix = Math.floor(systemClock.now() % 1e9).toString(36);
  const source = databaseUrl(server, `nines_backup_src_${suffix}`);
  const restored = databaseUrl(server, `nines_backup_dst_${suffix}`);
  const never = databaseUrl(server, `nines_backup_never_${suffix}`);
  let dir = "";
  let target: LocalDirTarget;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nines-backup-pg-"));
    target = new LocalDirTarget(join(dir, "backups"));
    await sql(server, `CREATE DATABASE nines_backup_src_${suffix}`);
    await sql(
      source,
      `CREATE TABLE notes (id integer PRIMARY KEY, owner text NOT NULL, body text, created_at timestamptz NOT NULL);
       CREATE TABLE counter (n integer NOT NULL); INSERT INTO counter VALUES (0);
       INSERT INTO notes SELECT g, CASE WHEN g % 2 = 0 THEN 'alice' ELSE 'bob' END, 'note ' || g,
         timestamptz '2026-11-28 12:00:00+00' + g * interval '1 second' FROM generate_series(1, 500) g;`,
    );
  });

  after(async () => {
    for (const name of ["src", "dst", "never"]) {
      await sql(server, `DROP DATABASE IF EXISTS nines_backup_${name}_${suffix} WITH (FORCE)`).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("dumps a consistent snapshot while writers write, with counts from the same snapshot", async () => {
    let writing = true;
    const writer = (async () => {
      const client = new pg.Client({ connectionString: source });
      await client.connect();
      let i = 1000;
      while (writing) {
        await client.query("BEGIN");
        await client.query("INSERT INTO notes VALUES ($1, 'carol', 'live', now())", [i++]);
        await client.query("UPDATE counter SET n = n + 1");
        await client.query("COMMIT");
      }
      await client.end();
      return i - 1000;
    })();
    const { manifest } = await createBackup({
      source,
      targets: [target],
      newestColumn: "notes.created_at",
    });
    writing = false;
    const written = await writer;
    assert.equal(manifest.engine, "postgres");
    assert.match(manifest.engineVersion, /^\d+/);
    assert.equal(manifest.method, "pg_dump-custom");
    assert.ok(!manifest.source.includes("password"), "no secrets in the manifest");
    await restoreBackup({ from: target, to: restored });
    const notes = Number((await sql(restored, "SELECT COUNT(*) AS n FROM notes")).rows[0].n);
    const carol = Number((await sql(restored, "SELECT COUNT(*) AS n FROM notes WHERE owner = 'carol'")).rows[0].n);
    const counter = Number((await sql(restored, "SELECT n FROM counter")).rows[0].n);
    assert.equal(manifest.rowCounts["notes"], notes, "the manifest counts describe exactly the dump");
    assert.equal(carol, counter, "the dump is one consistent snapshot");
    assert.ok(written > 0);
  });

  it("refuses to restore over an existing database unless forced, and refuses a pg dump into a file", async () => {
    await assert.rejects(restoreBackup({ from: target, to: source }), (e: unknown) =>
      isNinesError(e, BACKUP_ERRORS.restoreExists),
    );
    await assert.rejects(restoreBackup({ from: target, to: join(dir, "x.db") }), (e: unknown) =>
      isNinesError(e, BACKUP_ERRORS.engineMismatch),
    );
    await restoreBackup({ from: target, to: restored, force: true });
  });

  it("refuses a truncated dump and creates no database", async () => {
    const [id] = (await target.list()).map((k) => k.split("/")[0]);
    const file = join(dir, "backups", id as string, "data.pgdump");
    const original = readFileSync(file);
    truncateSync(file, Math.floor(original.length / 2));
    try {
      await assert.rejects(restoreBackup({ from: target, to: never }), (e: unknown) =>
        isNinesError(e, BACKUP_ERRORS.noGood),
      );
      const exists = await sql(server, "SELECT 1 FROM pg_database WHERE datname = $1", [
        `nines_backup_never_${suffix}`,
      ]);
      assert.equal(exists.rowCount, 0);
    } finally {
      writeFileSync(file, original);
    }
  });

  it("verifies the newest dump in a scratch database on a server and drops it afterwards", async () => {
    const { record } = await verifyBackup({ target, scratch: server });
    assert.equal(record.ok, true, record.problems.join("; "));
    assert.equal(record.rpoBasis, "newest-data");
    assert.ok(record.rtoMs > 0);
    const left = await sql(server, "SELECT datname FROM pg_database WHERE datname LIKE 'nines_verify_%'");
    assert.equal(left.rowCount, 0);
  });

  it("restores one owner's rows into the live database without touching the rest", async () => {
    await sql(source, "DELETE FROM notes WHERE owner = 'alice' AND id <= 100");
    await sql(source, "UPDATE notes SET body = 'edited' WHERE owner = 'bob'");
    const declaration = declareTables({ tables: { notes: { key: "id", owner: "owner" } } });
    const result = await restoreOwnerRows({ from: target, to: source, declaration, owner: "alice" });
    assert.equal(result.inBackup, 250);
    assert.equal(result.restored, 50);
    assert.equal(result.skipped, 200);
    const bob = await sql(source, "SELECT COUNT(*) AS n FROM notes WHERE owner = 'bob' AND body <> 'edited'");
    assert.equal(Number(bob.rows[0].n), 0, "bob's rows are untouched");
    await assert.rejects(
      restoreOwnerRows({ from: target, to: source, declaration, owner: "alice", onConflict: "fail" }),
      (e: unknown) => isNinesError(e, BACKUP_ERRORS.ownerConflict),
    );
  });
});
