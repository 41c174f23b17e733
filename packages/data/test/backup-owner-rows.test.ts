import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, type Progress, systemClock } from "@nines/core";
import { createBackup } from "../src/backup/create-backup.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { restoreOwnerRows } from "../src/backup/restore-owner-rows.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { openDatabase } from "../src/connection/open-database.js";
import type { DataConnection } from "../src/dialect/dialect.js";
import { withDatabase } from "../src/dialect/postgres/postgres-url.js";
import { declareTables } from "../src/lifecycle/declaration.js";

const declaration = declareTables({
  tables: {
    folders: { key: "id", owner: "owner_id", parents: [{ table: "folders", column: "parent_id" }] },
    notes: { key: "id", owner: "owner_id", parents: [{ table: "folders", column: "folder_id" }] },
    tags: { key: "id", owner: "owner_id", parents: [{ table: "notes", column: "note_id" }] },
  },
});

const SCHEMA = [
  "CREATE TABLE folders (id integer PRIMARY KEY, owner_id text NOT NULL, parent_id integer, name text NOT NULL)",
  "CREATE TABLE notes (id integer PRIMARY KEY, owner_id text NOT NULL, folder_id integer, title text NOT NULL)",
  "CREATE TABLE tags (id integer PRIMARY KEY, owner_id text NOT NULL, note_id integer NOT NULL, label text NOT NULL)",
];
// alice: folder 1 > folder 2 > note 10 (tags 100 alice, 101 bob's), note 11 in folder 1, note 12 loose.
// carol's note 30 sits in alice's folder 1; bob has folder 3 > note 20 > tag 200.
const DATA = [
  "INSERT INTO folders VALUES (1, 'alice', NULL, 'work'), (2, 'alice', 1, 'plans'), (3, 'bob', NULL, 'bob')",
  "INSERT INTO notes VALUES (10, 'alice', 2, 'q1'), (11, 'alice', 1, 'q2'), (12, 'alice', NULL, 'loose'), (20, 'bob', 3, 'b'), (30, 'carol', 1, 'shared')",
  "INSERT INTO tags VALUES (100, 'alice', 10, 'x'), (101, 'bob', 10, 'y'), (200, 'bob', 20, 'z')",
];

async function run(db: DataConnection, sql: string): Promise<void> {
  await db.executor.run({ sql, parameters: [] });
}

async function keys(db: DataConnection, table: string): Promise<number[]> {
  const rows = await db.executor.all<{ id: number }>({ sql: `SELECT id FROM ${table} ORDER BY id`, parameters: [] });
  return rows.map((r) => Number(r.id));
}

function engines(): { name: string; skip: false | string }[] {
  const pg = process.env["NINES_PG_URL"];
  if (!pg && process.env["CI"]) throw new Error("CI needs PostgreSQL (NINES_PG_URL) for the owner restore tests");
  return [
    { name: "sqlite", skip: false },
    { name: "postgres", skip: pg ? false : "NINES_PG_URL is not set (start one with scripts/postgres.sh)" },
  ];
}

for (const engine of engines()) {
  describe(`restoring one owner's groups from a backup (${engine.name})`, { skip: engine.skip }, () => {
    let dir = "";
    let live = "";
    let target: LocalDirTarget;
    const server = process.env["NINES_PG_URL"] ?? "";
    const dbName = `nines_owner_rows_${Math.floor(systemClock.now() % 1e9).toString(36)}`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `nines-owner-rows-${engine.name}-`));
      if (engine.name === "postgres") {
        const admin = await openDatabase(server);
        await run(admin, `CREATE DATABASE ${dbName}`);
        await admin.close();
        live = withDatabase(server, dbName);
      } else live = join(dir, "app.db");
      const db = await openDatabase(live);
      for (const sql of [...SCHEMA, ...DATA]) await run(db, sql);
      await db.close();
      target = new LocalDirTarget(join(dir, "backups"));
      await createBackup({ source: live, targets: [target] });
    });

    after(async () => {
      if (engine.name === "postgres") {
        const admin = await openDatabase(server);
        await run(admin, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.close();
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it("checks the declared tables and columns against the live database before downloading anything", async () => {
      const phases: string[] = [];
      const onProgress = (p: Progress) => phases.push(p.phase);
      const extra = declareTables({
        tables: { ...Object.fromEntries([["labels", { key: "id", owner: "owner_id" }]]) },
      });
      await assert.rejects(
        restoreOwnerRows({ from: target, to: live, declaration: extra, owner: "alice", onProgress }),
        (e: unknown) => isNinesError(e, BACKUP_ERRORS.tableUnknown) && /'labels' does not exist/.test(e.message),
      );
      const wrongColumn = declareTables({ tables: { notes: { key: "id", owner: "author" } } });
      await assert.rejects(
        restoreOwnerRows({ from: target, to: live, declaration: wrongColumn, owner: "alice", onProgress }),
        (e: unknown) => isNinesError(e, BACKUP_ERRORS.tableUnknown) && /no column 'author'/.test(e.message),
      );
      await assert.rejects(
        restoreOwnerRows({ from: target, to: live, declaration, tables: ["nope"], owner: "alice", onProgress }),
        (e: unknown) => isNinesError(e, BACKUP_ERRORS.tableUnknown) && /not declared/.test(e.message),
      );
      assert.deepEqual(phases, [], "nothing was downloaded");
    });

    it("brings back a deleted folder with its subfolders, notes and tags in one run, whoever owns the children", async () => {
      const db = await openDatabase(live);
      try {
        // alice's folder 1 and everything under it is gone (as a purge would leave it), and her loose note; bob edits.
        await run(db, "DELETE FROM tags WHERE note_id IN (10, 11, 30)");
        await run(db, "DELETE FROM notes WHERE id IN (10, 11, 12, 30)");
        await run(db, "DELETE FROM folders WHERE id IN (1, 2)");
        await run(db, "UPDATE notes SET title = 'edited' WHERE id = 20");

        const groups = await restoreOwnerRows({
          from: target,
          to: live,
          declaration,
          owner: "alice",
          tables: ["folders"],
        });
        assert.deepEqual(
          groups.tables.map((t) => [t.table, t.inBackup, t.restored, t.skipped]),
          [
            ["folders", 2, 2, 0],
            ["notes", 3, 3, 0],
            ["tags", 2, 2, 0],
          ],
        );
        assert.deepEqual(await keys(db, "folders"), [1, 2, 3]);
        assert.deepEqual(await keys(db, "notes"), [10, 11, 20, 30], "carol's note in alice's folder came back with it");
        assert.deepEqual(await keys(db, "tags"), [100, 101, 200]);

        // Every declared table as a root: the loose note too; what is already there is skipped.
        const all = await restoreOwnerRows({ from: target, to: live, declaration, owner: "alice" });
        assert.equal(all.restored, 1);
        assert.deepEqual(await keys(db, "notes"), [10, 11, 12, 20, 30]);
        const bob = await db.executor.first<{ title: string }>({
          sql: "SELECT title FROM notes WHERE id = 20",
          parameters: [],
        });
        assert.equal(bob?.title, "edited", "bob's rows are untouched");

        await assert.rejects(
          restoreOwnerRows({ from: target, to: live, declaration, owner: "alice", onConflict: "fail" }),
          (e: unknown) => isNinesError(e, BACKUP_ERRORS.ownerConflict),
        );
        await run(db, "UPDATE notes SET title = 'alice edit' WHERE id = 11");
        await run(db, "UPDATE notes SET title = 'carol edit' WHERE id = 30");
        const replaced = await restoreOwnerRows({
          from: target,
          to: live,
          declaration,
          owner: "alice",
          onConflict: "replace",
        });
        assert.ok(replaced.restored > 0);
        const titles = await db.executor.all<{ id: number; title: string }>({
          sql: "SELECT id, title FROM notes WHERE id IN (11, 30) ORDER BY id",
          parameters: [],
        });
        assert.deepEqual(
          titles.map((r) => [Number(r.id), r.title]),
          [
            [11, "q2"],
            [30, "carol edit"],
          ],
          "replace overwrites the owner's own rows only",
        );
      } finally {
        await db.close();
      }
    });
  });
}
