import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openDatabase } from "../src/connection/open-database.js";
import { declareTables } from "../src/lifecycle/declaration.js";
import { LifecycleStore } from "../src/lifecycle/lifecycle-store.js";
import { purge } from "../src/purge/purge.js";
import { APP_DECLARATION, createAppTables } from "./support/lifecycle-engines.js";

const GROUPS = 20_000; // a folder and three notes each: 80,000 rows to purge
const LONG_AGO = Date.UTC(2020, 0, 1);

/** Builds a database whose deleted groups are all long past their soft-delete period. */
async function populate(file: string): Promise<void> {
  const connection = await openDatabase(file);
  await createAppTables(connection);
  await LifecycleStore.open({ connection, declaration: declareTables(APP_DECLARATION) });
  await connection.close();
  const db = new Database(file);
  const meta = "nines_deleted_at, nines_deleted_by, nines_group, nines_soft_at, nines_purge_at";
  const folder = db.prepare(
    `insert into folders (id, owner_id, name, ${meta}) values (?, 'alice', ?, ?, 'alice', ?, ?, ?)`,
  );
  const note = db.prepare(
    `insert into notes (owner_id, folder_id, title, ${meta}) values ('alice', ?, ?, ?, 'alice', ?, ?, ?)`,
  );
  const live = db.prepare("insert into notes (owner_id, title) values ('bob', ?)");
  db.transaction(() => {
    for (let g = 1; g <= GROUPS; g++) {
      const group = `folders:${g}:${LONG_AGO}`;
      const stamps = [LONG_AGO, group, LONG_AGO + 1, LONG_AGO + 2];
      folder.run(g, `f${g}`, ...stamps);
      for (let n = 0; n < 3; n++) note.run(g, `n${g}.${n}`, ...stamps);
    }
    for (let i = 0; i < 1000; i++) live.run(`live${i}`);
  })();
  db.close();
}

/** Every group still there is whole: its folder and its three notes. */
function checkGroups(file: string): { groups: number; rows: number } {
  const db = new Database(file, { readonly: true });
  try {
    const orphans = db
      .prepare(
        "select count(*) as n from notes n where n.nines_group is not null and not exists (select 1 from folders f where f.nines_group = n.nines_group)",
      )
      .get() as { n: number };
    const partial = db
      .prepare(
        "select count(*) as n from folders f where (select count(*) from notes n where n.nines_group = f.nines_group) != 3",
      )
      .get() as { n: number };
    assert.equal(orphans.n, 0, "notes left whose folder was purged");
    assert.equal(partial.n, 0, "folders left with some of their notes purged");
    const groups = (db.prepare("select count(*) as n from folders").get() as { n: number }).n;
    const rows =
      groups + (db.prepare("select count(*) as n from notes where nines_group is not null").get() as { n: number }).n;
    assert.equal((db.prepare("select count(*) as n from notes where owner_id = 'bob'").get() as { n: number }).n, 1000);
    return { groups, rows };
  } finally {
    db.close();
  }
}

/** Starts the purge worker in a child process and SIGKILLs it after `batches` batches. */
async function purgeAndKill(file: string, batches: number): Promise<{ killed: boolean; seen: number }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      fileURLToPath(new URL("./support/purge-child.ts", import.meta.url)),
      file,
      "40",
    ],
    { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let seen = 0;
  let killed = false;
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (line.startsWith("batch ")) seen++;
    if (seen >= batches && !killed) {
      killed = child.kill("SIGKILL");
      break;
    }
  }
  await exited;
  return { killed, seen };
}

it("a purge worker killed with SIGKILL mid-run leaves no half-purged group, and a rerun completes", {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nines-purge-kill-"));
  const file = join(dir, "app.db");
  try {
    await populate(file);
    const before = checkGroups(file);
    assert.equal(before.groups, GROUPS);
    const first = await purgeAndKill(file, 20);
    assert.ok(first.killed, "the worker was still running when killed");
    const afterFirst = checkGroups(file);
    assert.ok(afterFirst.groups < GROUPS && afterFirst.groups > 0, `killed mid-run (${afterFirst.groups} groups left)`);
    const second = await purgeAndKill(file, 60);
    assert.ok(second.killed);
    const afterSecond = checkGroups(file);
    assert.ok(afterSecond.groups < afterFirst.groups && afterSecond.groups > 0);
    // The rerun, in this process, finishes the job.
    const connection = await openDatabase(file, { create: false });
    try {
      const store = new LifecycleStore({ connection, declaration: declareTables(APP_DECLARATION) });
      const rest = await purge(store, { actor: { id: "ops", admin: true }, confirm: true });
      assert.equal(rest.purgedRows, afterSecond.rows);
      assert.equal(checkGroups(file).groups, 0);
      const audit = await store.audit({ id: "ops", admin: true }, { action: "purge", limit: 100_000 });
      const audited = audit.reduce((sum, r) => sum + r.rows, 0);
      assert.equal(audited, before.rows, "every purged row is in exactly one committed audit record");
    } finally {
      await connection.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
