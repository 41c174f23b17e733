import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNinesError, ManualClock, type NinesError } from "@nines/core";
import pg from "pg";
import { openDatabase } from "../../src/connection/open-database.js";
import type { DataConnection } from "../../src/dialect/dialect.js";
import { declareTables, type LifecycleDeclaration } from "../../src/lifecycle/declaration.js";
import { LifecycleStore } from "../../src/lifecycle/lifecycle-store.js";

/**
 * The engines every lifecycle contract test runs on: a real SQLite file in
 * a temp dir, and a real PostgreSQL server from NINES_PG_URL (each opened
 * database in a schema of its own, dropped afterwards). Without
 * NINES_PG_URL the PostgreSQL cases FAIL when CI is set and are skipped
 * with a loud reason otherwise.
 */
export const ENGINES = ["sqlite", "postgres"] as const;
export type EngineName = (typeof ENGINES)[number];

const START_HINT = 'run eval "$(scripts/postgres.sh start)" first (docs/testing.md)';

export function engineSkip(engine: EngineName): false | string {
  if (engine === "sqlite" || process.env["NINES_PG_URL"]) return false;
  if (process.env["CI"])
    throw new Error(`CI needs PostgreSQL for the lifecycle contract tests: NINES_PG_URL is not set; ${START_HINT}`);
  const reason = `SKIPPING PostgreSQL lifecycle tests: NINES_PG_URL is not set; ${START_HINT}`;
  console.warn(reason);
  return reason;
}

let counter = 0;

/** Opens a fresh, empty database on `engine`; `cleanup` closes and removes it. */
export async function freshDatabase(
  engine: EngineName,
): Promise<{ connection: DataConnection; cleanup(): Promise<void> }> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "nines-lifecycle-"));
    const connection = await openDatabase(join(dir, "app.db"));
    return {
      connection,
      async cleanup() {
        await connection.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env["NINES_PG_URL"] as string;
  const schema = `nines_t_${process.pid}_${++counter}`;
  const connection = await openDatabase(url, { schema, poolSize: 4 });
  return {
    connection,
    async cleanup() {
      await connection.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

/** The test application's tables: folders (nested), notes in folders, tags on notes. */
export async function createAppTables(connection: DataConnection): Promise<void> {
  const id = connection.dialect.name === "postgres" ? "serial primary key" : "integer primary key";
  const statements = [
    `create table folders (id ${id}, owner_id text not null, name text not null, parent_id integer)`,
    `create table notes (id ${id}, owner_id text not null, folder_id integer, title text not null, words integer not null default 0)`,
    `create table tags (id ${id}, owner_id text not null, note_id integer not null, label text not null)`,
  ];
  for (const sql of statements) await connection.executor.run({ sql, parameters: [] });
}

export const APP_DECLARATION: LifecycleDeclaration = {
  trashDays: 30,
  softDays: 30,
  tables: {
    folders: {
      key: "id",
      owner: "owner_id",
      unique: [["owner_id", "name"]],
      parents: [{ table: "folders", column: "parent_id" }],
    },
    notes: {
      key: "id",
      owner: "owner_id",
      unique: [["owner_id", "title"]],
      parents: [{ table: "folders", column: "folder_id" }],
    },
    tags: { key: "id", owner: "owner_id", parents: [{ table: "notes", column: "note_id" }] },
  },
};

/** A store on a fresh database with the test application's tables, on a manual clock. */
export async function freshStore(
  engine: EngineName,
  start = Date.UTC(2026, 0, 1),
  declaration: LifecycleDeclaration = APP_DECLARATION,
) {
  const { connection, cleanup } = await freshDatabase(engine);
  await createAppTables(connection);
  const clock = new ManualClock(start);
  const store = await LifecycleStore.open({ connection, declaration: declareTables(declaration), clock });
  return { store, connection, clock, cleanup };
}

export const DAY = 86_400_000;
export const alice = { id: "alice" };
export const bob = { id: "bob" };
export const admin = { id: "ops", admin: true };

/** Asserts that `promise` rejects with the nines error `code`, saying what came instead. */
export async function rejects(promise: Promise<unknown>, code: string): Promise<NinesError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    assert.ok(isNinesError(error, code), `expected ${code}, got ${String((error as Error)?.message)}`);
    return true;
  });
  return caught as NinesError;
}

/** alice: folder "work" with notes a, b (b tagged); folder "home" with note c; bob: a folder and a note. */
export async function seed(store: LifecycleStore) {
  const work = await store.insert(alice, "folders", { name: "work" });
  const home = await store.insert(alice, "folders", { name: "home" });
  const a = await store.insert(alice, "notes", { folder_id: work["id"], title: "a", words: 10 });
  const b = await store.insert(alice, "notes", { folder_id: work["id"], title: "b", words: 20 });
  const c = await store.insert(alice, "notes", { folder_id: home["id"], title: "c", words: 40 });
  const tag = await store.insert(alice, "tags", { note_id: b["id"], label: "urgent" });
  const bobs = await store.insert(bob, "folders", { name: "work" });
  const bobNote = await store.insert(bob, "notes", { folder_id: bobs["id"], title: "a", words: 1 });
  return { work, home, a, b, c, tag, bobs, bobNote };
}
