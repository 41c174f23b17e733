// Benchmark: lazy-deletion reads and writes through LifecycleStore, side by
// side with the same statements written by hand against better-sqlite3 (and
// pg when NINES_PG_URL is set), and purge throughput on SQLite.
//   node --conditions=source --import tsx packages/data/bench/lifecycle.ts [--json] [--purge-rows 200000]
// Benchmark glue: wall-clock timing through performance.now() is the point here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { SeededRandom, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import pg from "pg";
import { openDatabase } from "../src/connection/open-database.js";
import type { DataConnection } from "../src/dialect/dialect.js";
import { declareTables } from "../src/lifecycle/declaration.js";
import { LifecycleStore } from "../src/lifecycle/lifecycle-store.js";
import { purge } from "../src/purge/purge.js";

const DECLARATION = declareTables({
  tables: {
    folders: { key: "id", owner: "owner_id", unique: [["owner_id", "name"]] },
    notes: {
      key: "id",
      owner: "owner_id",
      unique: [["owner_id", "title"]],
      parents: [{ table: "folders", column: "folder_id" }],
    },
  },
});
const DAY = 86_400_000;
const TRASH = 30 * DAY;
const SOFT = 30 * DAY;
const USERS = 50;
const FOLDERS_PER_USER = 10;
const NOTES_PER_FOLDER = 20; // 10,000 notes

export interface LifecycleBenchRow {
  engine: "sqlite" | "postgres";
  operation: string;
  storeUs: number;
  handUs: number;
  ratio: number;
}

/** Hand-written statements: exactly what the store runs, typed out once and prepared by hand. */
interface Hand {
  get(id: number, owner: string): Promise<unknown>;
  list(folder: number, owner: string): Promise<unknown>;
  count(owner: string): Promise<unknown>;
  insert(owner: string, folder: number, title: string): Promise<unknown>;
  delete(id: number, owner: string, now: number): Promise<unknown>;
  restore(id: number, owner: string, now: number): Promise<unknown>;
}

const META_SET =
  "nines_deleted_at = $1, nines_deleted_by = $2, nines_group = $3, nines_soft_at = $4, nines_purge_at = $5";
const SQL = {
  get: "select * from notes where id = $1 and nines_deleted_at is null and owner_id = $2",
  list: "select * from notes where nines_deleted_at is null and owner_id = $1 and folder_id = $2",
  count: "select count(*) as v from notes where nines_deleted_at is null and owner_id = $1",
  parent: "select id from folders where id = $1 and nines_deleted_at is null and owner_id = $2",
  insert: "insert into notes (folder_id, owner_id, title) values ($1, $2, $3) returning *",
  meta: "select owner_id as owner, nines_deleted_at, nines_group, nines_soft_at, nines_purge_at, nines_hold from notes where id = $1",
  mark: `update notes set ${META_SET} where id = $6 and nines_deleted_at is null`,
  orphans:
    "select c.id as k from notes as c where c.nines_group = $1 and c.folder_id is not null and not exists (select 1 as one from folders as p where p.id = c.folder_id and (p.nines_deleted_at is null or p.nines_group = $2)) limit $3",
  clashNotes:
    "select c.* from notes as c where c.nines_group = $1 and exists (select 1 as one from notes as l where l.nines_deleted_at is null and l.owner_id = c.owner_id and l.title = c.title)",
  clearNotes: `update notes set ${META_SET} where nines_group = $6`,
  audit:
    "insert into nines_audit (at, actor, action, table_name, row_key, group_id, row_count, detail) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
  auditRows:
    "insert into nines_audit_rows (audit_id, table_name, row_key) select cast($1 as bigint), 'notes', cast(id as text) from notes where nines_group = $2",
  auditCount: "update nines_audit set row_count = $1 where id = $2",
};
const sqlite = (text: string) => text.replace(/\$\d+/g, "?");

function sqliteHand(file: string): Hand & { close(): void } {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  const s = Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, db.prepare(sqlite(v))])) as Record<
    keyof typeof SQL,
    Database.Statement
  >;
  return {
    async get(id, owner) {
      return s.get.get(id, owner);
    },
    async list(folder, owner) {
      return s.list.all(owner, folder);
    },
    async count(owner) {
      return s.count.get(owner);
    },
    async insert(owner, folder, title) {
      db.exec("BEGIN IMMEDIATE");
      try {
        if (!s.parent.get(folder, owner)) throw new Error("parent");
        const row = s.insert.get(folder, owner, title);
        db.exec("COMMIT");
        return row;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    async delete(id, owner, now) {
      db.exec("BEGIN IMMEDIATE");
      const row = s.meta.get(id) as { owner: string } | undefined;
      if (!row || row.owner !== owner) throw new Error("not found");
      const group = `notes:${id}:${now}`;
      const changes = s.mark.run(now, owner, group, now + TRASH, now + TRASH + SOFT, id).changes;
      const audit = s.audit.get(now, owner, "delete", "notes", String(id), group, changes, null) as { id: number };
      s.auditRows.run(audit.id, group);
      db.exec("COMMIT");
      return changes;
    },
    async restore(id, owner, now) {
      db.exec("BEGIN IMMEDIATE");
      try {
        const row = s.meta.get(id) as { owner: string; nines_group: string; nines_soft_at: number } | undefined;
        if (!row || row.owner !== owner || row.nines_group === null || now >= row.nines_soft_at) throw new Error("no");
        const group = row.nines_group;
        if (s.orphans.all(group, group, 5).length > 0) throw new Error("parent deleted");
        if (s.clashNotes.all(group).length > 0) throw new Error("conflict");
        const detail = JSON.stringify({ phase: "trash", renamed: [] });
        const audit = s.audit.get(now, owner, "restore", "notes", String(id), group, 0, detail) as { id: number };
        let rows = 0;
        if (s.auditRows.run(audit.id, group).changes > 0) {
          rows = s.clearNotes.run(null, null, null, null, null, group).changes;
        }
        s.auditCount.run(rows, audit.id);
        db.exec("COMMIT");
        return rows;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    close: () => db.close(),
  };
}

function pgHand(url: string, schema: string): Hand & { close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  pool.on("error", () => {
    // An idle connection closed by the server: the next query reports it.
  });
  return {
    async get(id, owner) {
      return (await pool.query(SQL.get, [id, owner])).rows[0];
    },
    async list(folder, owner) {
      return (await pool.query(SQL.list, [owner, folder])).rows;
    },
    async count(owner) {
      return (await pool.query(SQL.count, [owner])).rows[0];
    },
    async insert(owner, folder, title) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        if ((await client.query(SQL.parent, [folder, owner])).rows.length === 0) throw new Error("parent");
        const row = (await client.query(SQL.insert, [folder, owner, title])).rows[0];
        await client.query("COMMIT");
        return row;
      } finally {
        client.release();
      }
    },
    async delete(id, owner, now) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const row = (await client.query(SQL.meta, [id])).rows[0] as { owner: string } | undefined;
        if (!row || row.owner !== owner) throw new Error("not found");
        const group = `notes:${id}:${now}`;
        const changes =
          (await client.query(SQL.mark, [now, owner, group, now + TRASH, now + TRASH + SOFT, id])).rowCount ?? 0;
        const audit = await client.query(SQL.audit, [now, owner, "delete", "notes", String(id), group, changes, null]);
        await client.query(SQL.auditRows, [audit.rows[0].id, group]);
        await client.query("COMMIT");
        return changes;
      } finally {
        client.release();
      }
    },
    async restore(id, owner, now) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const row = (await client.query(`${SQL.meta} for update`, [id])).rows[0] as
          | { owner: string; nines_group: string; nines_soft_at: string }
          | undefined;
        if (!row || row.owner !== owner || row.nines_group === null || now >= Number(row.nines_soft_at)) {
          throw new Error("no");
        }
        const group = row.nines_group;
        if ((await client.query(SQL.orphans, [group, group, 5])).rows.length > 0) throw new Error("parent deleted");
        if ((await client.query(SQL.clashNotes, [group])).rows.length > 0) throw new Error("conflict");
        const detail = JSON.stringify({ phase: "trash", renamed: [] });
        const audit = await client.query(SQL.audit, [now, owner, "restore", "notes", String(id), group, 0, detail]);
        const auditId = audit.rows[0].id;
        let rows = 0;
        if (((await client.query(SQL.auditRows, [auditId, group])).rowCount ?? 0) > 0) {
          rows = (await client.query(SQL.clearNotes, [null, null, null, null, null, group])).rowCount ?? 0;
        }
        await client.query(SQL.auditCount, [rows, auditId]);
        await client.query("COMMIT");
        return rows;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function seed(connection: DataConnection): Promise<void> {
  const id = connection.dialect.name === "postgres" ? "serial primary key" : "integer primary key";
  await connection.executor.run({
    sql: `create table folders (id ${id}, owner_id text not null, name text not null)`,
    parameters: [],
  });
  await connection.executor.run({
    sql: `create table notes (id ${id}, owner_id text not null, folder_id integer, title text not null, body text)`,
    parameters: [],
  });
  await LifecycleStore.open({ connection, declaration: DECLARATION });
  const ph = connection.dialect.name === "postgres" ? (i: number) => `$${i}` : () => "?";
  await connection.executor.transaction(async (tx) => {
    let folder = 0;
    for (let u = 0; u < USERS; u++) {
      for (let f = 0; f < FOLDERS_PER_USER; f++) {
        folder++;
        await tx.run({
          sql: `insert into folders (id, owner_id, name) values (${ph(1)}, ${ph(2)}, ${ph(3)})`,
          parameters: [folder, `user${u}`, `folder${f}`],
        });
        for (let n = 0; n < NOTES_PER_FOLDER; n++) {
          await tx.run({
            sql: `insert into notes (owner_id, folder_id, title, body) values (${ph(1)}, ${ph(2)}, ${ph(3)}, ${ph(4)})`,
            parameters: [`user${u}`, folder, `note ${folder}.${n}`, "x".repeat(200)],
          });
        }
      }
    }
  });
  if (connection.dialect.name === "postgres") {
    await connection.executor.run({ sql: "select setval('folders_id_seq', 100000)", parameters: [] });
    await connection.executor.run({ sql: "analyze", parameters: [] });
  }
}

/**
 * Microseconds per operation for two contenders, measured in alternating
 * rounds of `n` calls (after a warm-up round each), best round of each:
 * alternation keeps a busy neighbour on the shared machine from favouring
 * one side.
 */
async function duel(
  n: number,
  rounds: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
): Promise<[number, number]> {
  const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  let i = 0;
  for (let r = 0; r <= rounds; r++) {
    for (const [side, op] of [a, b].entries()) {
      const started = performance.now();
      for (let k = 0; k < n; k++) await op(i++);
      const us = ((performance.now() - started) * 1000) / n;
      if (r > 0) best[side] = Math.min(best[side] as number, us);
    }
  }
  return best as [number, number];
}

async function compare(
  engine: "sqlite" | "postgres",
  store: LifecycleStore,
  hand: Hand,
  n: number,
  log: (line: string) => void,
  run = 0,
): Promise<LifecycleBenchRow[]> {
  const random = new SeededRandom(7);
  const notes = USERS * FOLDERS_PER_USER * NOTES_PER_FOLDER;
  const noteOwner = (id: number) => `user${Math.floor((id - 1) / (FOLDERS_PER_USER * NOTES_PER_FOLDER))}`;
  const pickNote = () => random.int(1, notes);
  const pickFolder = () => random.int(1, USERS * FOLDERS_PER_USER);
  const folderOwner = (f: number) => `user${Math.floor((f - 1) / FOLDERS_PER_USER)}`;
  const rows: LifecycleBenchRow[] = [];
  const add = async (
    operation: string,
    count: number,
    viaStore: (i: number) => Promise<unknown>,
    byHand: (i: number) => Promise<unknown>,
  ) => {
    const [storeUs, handUs] = await duel(Math.ceil(count / 20), 20, viaStore, byHand);
    rows.push({ engine, operation, storeUs, handUs, ratio: storeUs / handUs });
    log(`${engine} ${operation}: store ${storeUs.toFixed(1)} us, by hand ${handUs.toFixed(1)} us`);
  };
  await add(
    "get by key (live, own)",
    n,
    () => {
      const id = pickNote();
      return store.get({ id: noteOwner(id) }, "notes", id);
    },
    () => {
      const id = pickNote();
      return hand.get(id, noteOwner(id));
    },
  );
  await add(
    "list a folder (20 rows)",
    Math.ceil(n / 4),
    () => {
      const f = pickFolder();
      return store.list({ id: folderOwner(f) }, "notes", { where: { folder_id: f } });
    },
    () => {
      const f = pickFolder();
      return hand.list(f, folderOwner(f));
    },
  );
  await add(
    "count a user's rows (200)",
    Math.ceil(n / 4),
    () => store.count({ id: `user${random.int(0, USERS - 1)}` }, "notes"),
    () => hand.count(`user${random.int(0, USERS - 1)}`),
  );
  let serial = 0;
  await add(
    "insert (parent check + insert)",
    Math.ceil(n / 4),
    () => {
      const f = pickFolder();
      return store.insert({ id: folderOwner(f) }, "notes", { folder_id: f, title: `s${run}.${serial++}` });
    },
    () => {
      const f = pickFolder();
      return hand.insert(folderOwner(f), f, `h${run}.${serial++}`);
    },
  );
  // Deletes take distinct live notes: the store's from the first half, the hand's from the second;
  // restores then bring the same notes back, in the same order.
  let storeNext = 1;
  let handNext = Math.floor(notes / 2) + 1;
  const writes = Math.min(Math.ceil(n / 4), Math.floor(notes / 10));
  await add(
    "delete (mark + audit naming its rows, 1 transaction)",
    writes,
    () => {
      const id = storeNext++;
      return store.delete({ id: noteOwner(id) }, "notes", id);
    },
    () => {
      const id = handNext++;
      return hand.delete(id, noteOwner(id), systemClock.now());
    },
  );
  storeNext = 1;
  handNext = Math.floor(notes / 2) + 1;
  await add(
    "restore from trash (checks + audit naming its rows + clear)",
    writes,
    () => {
      const id = storeNext++;
      return store.restore({ id: noteOwner(id) }, "notes", id);
    },
    () => {
      const id = handNext++;
      return hand.restore(id, noteOwner(id), systemClock.now());
    },
  );
  return rows;
}

/** Purge throughput: the best of `rounds` runs, each on a freshly built database. */
const RUNS = 3;

/** Runs the whole comparison `runs` times and keeps, per operation, the run with the median ratio. */
async function medianOf(
  runs: number,
  once: (run: number) => Promise<LifecycleBenchRow[]>,
): Promise<LifecycleBenchRow[]> {
  const all: LifecycleBenchRow[][] = [];
  for (let run = 0; run < runs; run++) all.push(await once(run));
  return (all[0] ?? []).map((first, i) => {
    const same = all.map((rows) => rows[i] ?? first).sort((a, b) => a.ratio - b.ratio);
    return same[Math.floor(same.length / 2)] ?? first;
  });
}

async function benchPurge(dir: string, rowsToPurge: number, rounds: number, log: (line: string) => void) {
  let best: Awaited<ReturnType<typeof purgeOnce>> | undefined;
  for (let r = 0; r < rounds; r++) {
    const run = await purgeOnce(join(dir, `purge-${r}.db`), rowsToPurge, log);
    if (!best || run.rowsPerSecond > best.rowsPerSecond) best = run;
    rmSync(join(dir, `purge-${r}.db`), { force: true });
  }
  return best as Awaited<ReturnType<typeof purgeOnce>>;
}

async function purgeOnce(file: string, rowsToPurge: number, log: (line: string) => void) {
  const connection = await openDatabase(file);
  await seedPurge(connection, file, rowsToPurge);
  const store = new LifecycleStore({ connection, declaration: DECLARATION });
  const started = performance.now();
  const result = await purge(store, { actor: { id: "bench", admin: true }, confirm: true, batchGroups: 2000 });
  const seconds = (performance.now() - started) / 1000;
  await connection.close();
  log(`purge: ${result.purgedRows} rows in ${seconds.toFixed(2)} s`);
  return { rows: result.purgedRows, groups: result.purgedGroups, seconds, rowsPerSecond: result.purgedRows / seconds };
}

/** Groups of one folder and four notes, all long past their soft-delete period, plus as many live notes. */
async function seedPurge(connection: DataConnection, file: string, rows: number): Promise<void> {
  await connection.executor.run({
    sql: "create table folders (id integer primary key, owner_id text not null, name text not null)",
    parameters: [],
  });
  await connection.executor.run({
    sql: "create table notes (id integer primary key, owner_id text not null, folder_id integer, title text not null, body text)",
    parameters: [],
  });
  await LifecycleStore.open({ connection, declaration: DECLARATION });
  const db = new Database(file);
  const meta = "nines_deleted_at, nines_deleted_by, nines_group, nines_soft_at, nines_purge_at";
  const folder = db.prepare(`insert into folders (id, owner_id, name, ${meta}) values (?, 'u', ?, 1, 'u', ?, 2, 3)`);
  const note = db.prepare(
    `insert into notes (owner_id, folder_id, title, body, ${meta}) values ('u', ?, ?, ?, 1, 'u', ?, 2, 3)`,
  );
  const live = db.prepare("insert into notes (owner_id, title, body) values ('v', ?, ?)");
  const body = "x".repeat(200);
  db.transaction(() => {
    for (let g = 1; g <= rows / 5; g++) {
      const group = `folders:${g}:1`;
      folder.run(g, `f${g}`, group);
      for (let n = 0; n < 4; n++) note.run(g, `n${g}.${n}`, body, group);
    }
    for (let i = 0; i < rows; i++) live.run(`live${i}`, body);
  })();
  db.close();
}

export async function benchLifecycle(options: { n: number; purgeRows: number; log: (line: string) => void }) {
  const dir = mkdtempSync(join(tmpdir(), "nines-bench-lifecycle-"));
  const rows: LifecycleBenchRow[] = [];
  try {
    const file = join(dir, "app.db");
    const connection = await openDatabase(file);
    await seed(connection);
    const hand = sqliteHand(file);
    const store = new LifecycleStore({ connection, declaration: DECLARATION });
    rows.push(...(await medianOf(RUNS, (run) => compare("sqlite", store, hand, options.n, options.log, run))));
    hand.close();
    await connection.close();
    const url = process.env["NINES_PG_URL"];
    if (url) {
      const schema = `nines_bench_${process.pid}`;
      const pgConnection = await openDatabase(url, { schema, poolSize: 4 });
      try {
        await seed(pgConnection);
        const pgh = pgHand(url, schema);
        const pgStore = new LifecycleStore({ connection: pgConnection, declaration: DECLARATION });
        rows.push(
          ...(await medianOf(RUNS, (run) =>
            compare("postgres", pgStore, pgh, Math.ceil(options.n / 5), options.log, run),
          )),
        );
        await pgh.close();
      } finally {
        await pgConnection.executor.run({ sql: `drop schema ${schema} cascade`, parameters: [] });
        await pgConnection.close();
      }
    } else {
      options.log('PostgreSQL skipped: NINES_PG_URL is not set (eval "$(scripts/postgres.sh start)")');
    }
    const purged = await benchPurge(dir, options.purgeRows, 3, options.log);
    return { rows, purge: purged };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const { values } = parseArgs({
    options: { json: { type: "boolean" }, n: { type: "string" }, "purge-rows": { type: "string" } },
  });
  const result = await benchLifecycle({
    n: Number(values.n ?? 20_000),
    purgeRows: Number(values["purge-rows"] ?? 200_000),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      "Lazy deletion vs the same statements by hand (alternating rounds, best of 20 each; median of 3 runs; µs per operation)\n\n",
    );
    process.stdout.write(
      "| engine | operation | store µs | by hand µs | ratio (goal ≤ 1.5) |\n|---|---|---:|---:|---:|\n",
    );
    for (const r of result.rows) {
      process.stdout.write(
        `| ${r.engine} | ${r.operation} | ${r.storeUs.toFixed(1)} | ${r.handUs.toFixed(1)} | ${r.ratio.toFixed(2)} ${r.ratio <= 1.5 ? "ok" : "OVER"} |\n`,
      );
    }
    const p = result.purge;
    const missed = result.rows.some((r) => r.ratio > 1.5) || p.rowsPerSecond < 100_000;
    if (missed) process.exitCode = 1;
    process.stdout.write(
      `\nPurge on SQLite: ${p.rows} rows (${p.groups} groups of a folder and 4 notes, as many live rows kept; best of 3 runs) in ${p.seconds.toFixed(2)} s = ${Math.round(p.rowsPerSecond)} rows/s (goal ≥ 100,000) ${p.rowsPerSecond >= 100_000 ? "ok" : "UNDER"}\n`,
    );
  }
}
