import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DataConnection } from "../src/dialect/dialect.js";
import { declareTables } from "../src/lifecycle/declaration.js";
import { LifecycleStore } from "../src/lifecycle/lifecycle-store.js";
import { purge } from "../src/purge/purge.js";
import { APP_DECLARATION, createAppTables, ENGINES, engineSkip, freshDatabase } from "./support/lifecycle-engines.js";

// A folder and three notes each: 80,000 rows to purge on SQLite, 32,000 on PostgreSQL (slower to fill and purge).
const GROUPS_ON = { sqlite: 20_000, postgres: 8_000 } as const;
let GROUPS = 0;
const LONG_AGO = Date.UTC(2020, 0, 1);
const declaration = declareTables(APP_DECLARATION);

/** Deleted groups all long past their soft-delete period, and 1,000 live notes of bob's. */
async function populate(connection: DataConnection): Promise<void> {
  await createAppTables(connection);
  await LifecycleStore.open({ connection, declaration });
  const meta = "nines_deleted_at, nines_deleted_by, nines_group, nines_soft_at, nines_purge_at";
  const stamps = `${LONG_AGO}, 'alice', 'folders:' || g || ':${LONG_AGO}', ${LONG_AGO + 1}, ${LONG_AGO + 2}`;
  const series =
    connection.dialect.name === "postgres"
      ? (n: number) => `generate_series(1, ${n}) as s(g)`
      : (n: number) =>
          `(with recursive s(g) as (select 1 union all select g + 1 from s where g < ${n}) select g from s)`;
  await connection.executor.transaction(async (tx) => {
    await tx.run({
      sql: `insert into folders (id, owner_id, name, ${meta}) select g, 'alice', 'f' || g, ${stamps} from ${series(GROUPS)}`,
      parameters: [],
    });
    for (let n = 0; n < 3; n++) {
      await tx.run({
        sql: `insert into notes (owner_id, folder_id, title, ${meta}) select 'alice', g, 'n' || g || '.${n}', ${stamps} from ${series(GROUPS)}`,
        parameters: [],
      });
    }
    await tx.run({
      sql: `insert into notes (owner_id, title) select 'bob', 'live' || g from ${series(1000)}`,
      parameters: [],
    });
  });
}

/** Every group still there is whole: its folder and its three notes. Returns what is left. */
async function checkGroups(connection: DataConnection): Promise<{ groups: number; rows: number }> {
  const one = async (sql: string) =>
    Number((await connection.executor.all<{ n: unknown }>({ sql, parameters: [] }))[0]?.n);
  const orphans = await one(
    "select count(*) as n from notes n where n.nines_group is not null and not exists (select 1 from folders f where f.nines_group = n.nines_group)",
  );
  const partial = await one(
    "select count(*) as n from folders f where (select count(*) from notes n where n.nines_group = f.nines_group) <> 3",
  );
  assert.equal(orphans, 0, "notes left whose folder was purged");
  assert.equal(partial, 0, "folders left with some of their notes purged");
  assert.equal(await one("select count(*) as n from notes where owner_id = 'bob'"), 1000, "live rows untouched");
  const groups = await one("select count(*) as n from folders");
  return { groups, rows: groups + (await one("select count(*) as n from notes where nines_group is not null")) };
}

/** Starts the purge worker in a child process and SIGKILLs it after `batches` batches. */
async function purgeAndKill(args: string[], batches: number): Promise<boolean> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      fileURLToPath(new URL("./support/purge-child.ts", import.meta.url)),
      ...args,
    ],
    { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let seen = 0;
  let killed = false;
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (line.startsWith("batch ")) seen++;
    if (seen >= batches) {
      killed = child.kill("SIGKILL");
      break;
    }
  }
  await exited;
  return killed;
}

for (const engine of ENGINES) {
  describe(`purge worker killed with SIGKILL on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("leaves no half-purged group, and a rerun completes", { timeout: 180_000 }, async () => {
      GROUPS = GROUPS_ON[engine];
      const { connection, cleanup } = await freshDatabase(engine);
      try {
        await populate(connection);
        const schema =
          connection.dialect.name === "postgres"
            ? (await connection.executor.all<{ s: string }>({ sql: "select current_schema() as s", parameters: [] }))[0]
                ?.s
            : undefined;
        const args = [connection.target, "40", ...(schema ? [schema] : [])];
        const before = await checkGroups(connection);
        assert.equal(before.groups, GROUPS);
        assert.ok(await purgeAndKill(args, 20), "the worker was still running when killed");
        const afterFirst = await checkGroups(connection);
        assert.ok(
          afterFirst.groups < GROUPS && afterFirst.groups > 0,
          `killed mid-run (${afterFirst.groups} groups left)`,
        );
        assert.ok(await purgeAndKill(args, 60));
        const afterSecond = await checkGroups(connection);
        assert.ok(afterSecond.groups < afterFirst.groups && afterSecond.groups > 0);
        // The rerun, in this process, finishes the job.
        const store = new LifecycleStore({ connection, declaration });
        const ops = { id: "ops", admin: true };
        const rest = await purge(store, { actor: ops, confirm: true });
        assert.equal(rest.purgedRows, afterSecond.rows);
        assert.equal((await checkGroups(connection)).groups, 0);
        const audit = await store.audit(ops, { action: "purge", limit: 100_000 });
        assert.equal(
          audit.reduce((sum, r) => sum + r.rows, 0),
          before.rows,
          "every purged row is in exactly one committed audit record",
        );
        const named = await connection.executor.all<{ n: unknown }>({
          sql: "select count(*) as n from nines_audit_rows r join nines_audit a on a.id = r.audit_id where a.action = 'purge'",
          parameters: [],
        });
        assert.equal(Number(named[0]?.n), before.rows, "and named in it exactly once");
      } finally {
        await cleanup();
      }
    });
  });
}
