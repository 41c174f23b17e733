import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { type DataConnection, declareTables, LifecycleStore, openDatabase } from "@nines/data";
import pg from "pg";
import type { Io } from "../../command.js";
import { main } from "../../main.js";

const DECLARATION = {
  trashDays: 30,
  softDays: 30,
  tables: {
    folders: { key: "id", owner: "owner_id", unique: [["owner_id", "name"]] },
    notes: {
      key: "id",
      owner: "owner_id",
      unique: [["owner_id", "title"]],
      parents: [{ table: "folders", column: "folder_id" }],
    },
  },
};
const DAY = 86_400_000;

async function nines(cwd: string, ...argv: string[]): Promise<{ status: number; out: string; err: string }> {
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
  const io: Io = { stdout, stderr, env: { USER: "ops" }, cwd };
  const status = await main(["data", ...argv], io);
  return { status, out, err };
}

function pgSkip(): false | string {
  if (process.env["NINES_PG_URL"]) return false;
  const reason = 'NINES_PG_URL is not set; run eval "$(scripts/postgres.sh start)" first (docs/testing.md)';
  if (process.env["CI"]) throw new Error(`CI needs PostgreSQL for the nines data CLI tests: ${reason}`);
  console.warn(`SKIPPING the PostgreSQL CLI test: ${reason}`);
  return reason;
}

const TARGETS = [
  { name: "sqlite", skip: false as false | string },
  { name: "postgres", skip: pgSkip() },
];

for (const target of TARGETS) {
  describe(`nines data lifecycle commands on ${target.name}`, { skip: target.skip }, () => {
    let dir = "";
    let db = "";
    let schema: string[] = [];
    let connection: DataConnection;
    let store: LifecycleStore;
    const clock = new ManualClock(Date.now() - 45 * DAY); // the rows were deleted 45 days ago

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "nines-cli-data-"));
      writeFileSync(join(dir, "nines-data.json"), JSON.stringify(DECLARATION));
      const id = target.name === "postgres" ? "serial primary key" : "integer primary key";
      if (target.name === "postgres") {
        const name = `nines_cli_${process.pid}`;
        schema = ["--schema", name];
        db = process.env["NINES_PG_URL"] as string;
        connection = await openDatabase(db, { schema: name });
      } else {
        db = "app.db";
        connection = await openDatabase(join(dir, db));
      }
      await connection.executor.run({
        sql: `create table folders (id ${id}, owner_id text not null, name text not null)`,
        parameters: [],
      });
      await connection.executor.run({
        sql: `create table notes (id ${id}, owner_id text not null, folder_id integer, title text not null)`,
        parameters: [],
      });
      const init = await nines(dir, "init", "--db", db, ...schema);
      assert.equal(init.status, 0, init.err);
      store = new LifecycleStore({ connection, declaration: declareTables(DECLARATION), clock });
      const alice = { id: "alice" };
      const folder = await store.insert(alice, "folders", { name: "work" });
      for (let i = 1; i <= 3; i++) await store.insert(alice, "notes", { folder_id: folder["id"], title: `n${i}` });
      await store.insert(alice, "notes", { title: "old" }); // id 4, deleted 45 days ago: soft-deleted now
      await store.delete(alice, "notes", 4);
      await clock.advance(45 * DAY);
      await store.delete(alice, "folders", folder["id"]); // folder + 3 notes, in the trash now
      for (let i = 0; i < 20; i++) await store.insert({ id: "bob" }, "notes", { title: `b${i}` });
    });

    after(async () => {
      await connection.close();
      if (target.name === "postgres") {
        const client = new pg.Client({ connectionString: db });
        await client.connect();
        await client.query(`drop schema if exists nines_cli_${process.pid} cascade`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it("lists and restores a user's trash; refuses bad input with a code and changes nothing", async () => {
      const list = await nines(dir, "trash", "list", "--db", db, ...schema, "--as", "alice");
      assert.equal(list.status, 0, list.err);
      // One line per item: the folder, with the notes deleted with it; the soft-deleted note is out of reach.
      assert.equal(list.out.trim().split("\n").length, 1, list.out);
      assert.match(list.out, /^folders 1 'work' with 3 rows \(notes 3\) {2}deleted \S+ by alice {2}restorable until /m);
      const bob = await nines(dir, "trash", "restore", "folders", "1", "--db", db, ...schema, "--as", "bob");
      assert.equal(bob.status, 2);
      assert.match(bob.err, /error NINES_DATA_NOT_FOUND: no folders row with key 1$/m);
      const unknown = await nines(dir, "trash", "restore", "notes", "999", "--db", db, ...schema, "--as", "alice");
      assert.equal(unknown.status, 2);
      assert.match(unknown.err, /error NINES_DATA_NOT_FOUND: no notes row with key 999$/m);
      const soft = await nines(dir, "trash", "restore", "notes", "4", "--db", db, ...schema, "--as", "alice");
      assert.equal(
        soft.err,
        unknown.err.replace("999", "4"),
        "a soft-deleted row is not found, as if it never existed",
      );
      const restore = await nines(dir, "trash", "restore", "folders", "1", "--db", db, ...schema, "--as", "alice");
      assert.equal(restore.status, 0, restore.err);
      assert.match(restore.out, /restored 4 rows/);
      assert.equal(await store.count({ id: "alice" }, "notes"), 3);
      const empty = await nines(dir, "trash", "list", "--db", db, ...schema, "--as", "alice", "--json");
      assert.deepEqual(JSON.parse(empty.out), []);
    });

    it("lets an administrator list and restore soft-deleted rows, and hold and release them", async () => {
      const list = await nines(dir, "admin", "list", "--db", db, ...schema, "--phase", "soft", "--json");
      assert.equal(list.status, 0, list.err);
      assert.deepEqual(
        (JSON.parse(list.out) as { key: unknown }[]).map((r) => Number(r.key)),
        [4],
      );
      const hold = await nines(dir, "hold", "notes", "4", "--reason", "CASE-9", "--db", db, ...schema);
      assert.equal(hold.status, 0, hold.err);
      const noReason = await nines(dir, "hold", "notes", "4", "--db", db, ...schema);
      assert.match(noReason.err, /--reason TEXT is required/);
      assert.equal((await nines(dir, "release", "notes", "4", "--db", db, ...schema)).status, 0);
      const missing = await nines(dir, "release", "notes", "4", "--db", db, ...schema);
      assert.match(missing.err, /has no legal hold/);
      const restore = await nines(dir, "admin", "restore", "notes", "4", "--db", db, ...schema, "--as", "ops");
      assert.equal(restore.status, 0, restore.err);
      const audit = await store.audit({ id: "x", admin: true });
      assert.deepEqual(
        audit.slice(0, 3).map((r) => [r.action, r.actor]),
        [
          ["restore", "ops"],
          ["release", "ops"],
          ["hold", "ops"],
        ],
      );
    });

    it("prints JSON with --json from init, hold and release, their errors included", async () => {
      const init = await nines(dir, "init", "--db", db, ...schema, "--json");
      assert.equal(init.status, 0, init.err);
      assert.deepEqual(JSON.parse(init.out), { prepared: ["folders", "notes"] });
      const hold = await nines(dir, "hold", "notes", "20", "--reason", "CASE-1", "--db", db, ...schema, "--json");
      assert.equal(hold.status, 0, hold.err);
      assert.deepEqual(JSON.parse(hold.out), { held: { table: "notes", key: "20", reason: "CASE-1" } });
      const release = await nines(dir, "release", "notes", "20", "--db", db, ...schema, "--json");
      assert.equal(release.status, 0, release.err);
      assert.deepEqual(JSON.parse(release.out), { released: { table: "notes", key: "20" } });
      const again = await nines(dir, "release", "notes", "20", "--db", db, ...schema, "--json");
      assert.equal(again.status, 2);
      assert.equal(again.err, "");
      assert.match(JSON.parse(again.out).error.message, /has no legal hold/);
      const noReason = await nines(dir, "hold", "notes", "20", "--db", db, ...schema, "--json");
      assert.equal(noReason.status, 2);
      assert.deepEqual(JSON.parse(noReason.out).error, {
        code: "NINES_CLI_USAGE",
        message: "nines data hold: --reason TEXT is required",
        hint: "run 'nines data hold --help' for the options",
      });
    });

    it("purges with --dry-run, stops an unusual purge unless --confirm, and shows progress", async () => {
      // The CLI runs on the system clock: bob's rows were deleted and his trash emptied 31 days ago.
      const past = new LifecycleStore({
        connection,
        declaration: declareTables(DECLARATION),
        clock: new ManualClock(Date.now() - 31 * DAY),
      });
      for (let i = 10; i <= 15; i++) await past.delete({ id: "bob" }, "notes", i);
      await past.emptyTrash({ id: "bob" });
      const dry = await nines(dir, "purge", "--db", db, ...schema, "--dry-run", "--max-rows", "3");
      assert.equal(dry.status, 0, dry.err);
      assert.match(dry.out, /dry run: 6 of 25 rows would be purged; 0 kept by legal holds; UNUSUAL/);
      const stopped = await nines(dir, "purge", "--db", db, ...schema, "--max-rows", "3");
      assert.equal(stopped.status, 2);
      assert.match(stopped.err, /purge stopped before starting: 6 of 25 rows/);
      assert.match(stopped.err, /hint: .*--confirm/);
      const run = await nines(dir, "purge", "--db", db, ...schema, "--max-rows", "3", "--confirm", "--batch", "2");
      assert.equal(run.status, 0, run.err);
      assert.match(run.out, /purged 6 rows in 6 groups/);
      assert.match(run.err, /^nines data purge: purge 2\/6 rows\b/m);
      assert.match(run.err, /^nines data purge: purge 6\/6 rows\b/m);
    });

    it("lists the trash by item, deletes one forever, and gives administrators held rows, a row and its history", async () => {
      const alice = { id: "alice" };
      const declaration = declareTables(DECLARATION);
      // The CLI runs on the system clock: note 1 was deleted a minute ago, its folder (with notes 2 and 3) after.
      const earlier = new LifecycleStore({ connection, declaration, clock: new ManualClock(Date.now() - 60_000) });
      await earlier.delete(alice, "notes", 1);
      const later = new LifecycleStore({ connection, declaration, clock: new ManualClock(Date.now() - 30_000) });
      await later.delete(alice, "folders", 1);
      const store = ["--db", db, ...schema];
      const oldest = await nines(dir, "trash", "list", ...store, "--as", "alice", "--oldest");
      assert.equal(oldest.status, 0, oldest.err);
      assert.deepEqual(
        oldest.out
          .trim()
          .split("\n")
          .map((line) => line.split("  ")[0]),
        ["notes 1 'n1'", "folders 1 'work' with 2 rows (notes 2)"],
      );
      const newest = await nines(dir, "trash", "list", ...store, "--as", "alice", "--limit", "1", "--json");
      assert.deepEqual(
        (JSON.parse(newest.out) as { table: string; children: number }[]).map((g) => [g.table, g.children]),
        [["folders", 2]],
      );
      const zero = await nines(dir, "trash", "list", ...store, "--as", "alice", "--limit", "0");
      assert.equal(zero.status, 2);
      assert.match(zero.err, /NINES_CLI_USAGE/);

      const forever = await nines(dir, "trash", "delete", "notes", "2", ...store, "--as", "alice");
      assert.equal(forever.status, 0, forever.err);
      assert.match(forever.out, /^deleted forever: notes 2 and what was deleted with it, 3 rows; purged from /);
      const left = await nines(dir, "trash", "list", ...store, "--as", "alice", "--json");
      assert.deepEqual(
        (JSON.parse(left.out) as { table: string; key: unknown }[]).map((g) => [g.table, Number(g.key)]),
        [["notes", 1]],
      );
      const again = await nines(dir, "trash", "delete", "folders", "1", ...store, "--as", "alice");
      assert.equal(again.status, 2);
      assert.match(again.err, /error NINES_DATA_NOT_FOUND: no folders row with key 1$/m);

      assert.equal((await nines(dir, "hold", "notes", "2", "--reason", "CASE-5", ...store)).status, 0);
      const held = await nines(dir, "admin", "held", ...store, "--json");
      assert.equal(held.status, 0, held.err);
      assert.deepEqual(
        (JSON.parse(held.out) as { table: string; key: unknown; phase: string; hold: string }[])
          .map((r) => [r.table, Number(r.key), r.phase, r.hold])
          .sort(),
        [
          ["folders", 1, "soft", "CASE-5"],
          ["notes", 2, "soft", "CASE-5"],
          ["notes", 3, "soft", "CASE-5"],
        ],
      );
      const read = await nines(dir, "admin", "read", "notes", "2", ...store);
      assert.equal(read.status, 0, read.err);
      assert.match(read.out, /^notes 2 {2}soft {2}owner alice$/m);
      assert.match(read.out, /^ {2}legal hold: CASE-5$/m);
      assert.match(read.out, /^ {2}title: "n2"$/m);
      const missing = await nines(dir, "admin", "read", "notes", "999", ...store);
      assert.equal(missing.status, 2);
      assert.match(missing.err, /error NINES_DATA_NOT_FOUND: no notes row with key 999 is stored/);

      const history = await nines(dir, "admin", "history", "notes", "2", ...store, "--json");
      assert.equal(history.status, 0, history.err);
      assert.deepEqual(
        (JSON.parse(history.out) as { action: string; actor: string }[]).map((r) => [r.action, r.actor]),
        [
          ["delete", "alice"],
          ["restore", "alice"],
          ["delete", "alice"],
          ["delete-forever", "alice"],
          ["hold", "ops"],
        ],
      );
      const text = await nines(dir, "admin", "history", "notes", "2", ...store);
      assert.match(text.out, /^\S+Z {2}delete-forever {2}by alice {2}notes 2 {2}3 rows {2}\{"groups":1\}$/m);
      assert.equal((await nines(dir, "release", "notes", "2", ...store)).status, 0);
    });
  });
}

it("refuses a missing database file, a missing declaration and an unprepared database", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nines-cli-data-bad-"));
  try {
    writeFileSync(join(dir, "nines-data.json"), JSON.stringify(DECLARATION));
    const noDb = await nines(dir, "trash", "list", "--db", "missing.db", "--as", "alice");
    assert.equal(noDb.status, 2);
    assert.match(noDb.err, /missing\.db does not exist/);
    const noTables = await nines(dir, "purge", "--db", "missing.db", "--tables", "nope.json");
    assert.match(noTables.err, /declaration file not found/);
    const raw = await openDatabase(join(dir, "raw.db"));
    await raw.executor.run({
      sql: "create table folders (id integer primary key, owner_id text, name text)",
      parameters: [],
    });
    await raw.executor.run({
      sql: "create table notes (id integer primary key, owner_id text, folder_id integer, title text)",
      parameters: [],
    });
    await raw.close();
    const unprepared = await nines(dir, "purge", "--db", "raw.db");
    assert.match(unprepared.err, /not prepared for lazy deletion[\s\S]*nines data init/);
    const sub = await nines(dir, "trsh");
    assert.match(sub.err, /unknown command 'trsh'; did you mean 'nines data trash'\?/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
