// `nines data replicate`, `nines data restore --at` and `nines data verify`
// on a replica, through main (in this process) and as a real process
// stopped with SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { runMain } from "../../../test/support/run-main.js";

const dir = mkdtempSync(join(tmpdir(), "nines-cli-replicate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function appDb(name: string): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  return db;
}

function hasSnapshot(): boolean {
  const generations = join(dir, "replica", "generations");
  if (!existsSync(generations)) return false;
  return readdirSync(generations).some((g) => {
    const snapshots = join(generations, g, "snapshots");
    return existsSync(snapshots) && readdirSync(snapshots).some((name) => name.endsWith(".snapshot"));
  });
}

function count(name: string): number {
  const db = new Database(join(dir, name), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

it("replicates for a while, restores the latest point and a point in time, and verifies the replica", async () => {
  const db = appDb("app.db");
  for (let i = 0; i < 10; i++) db.prepare("INSERT INTO notes (body) VALUES (?)").run(`early ${i}`);
  writeFileSync(join(dir, "replica.key"), `${"ab".repeat(32)}\n`);
  let middle = "";
  // The late writes once the first snapshot is stored (the replicator's worker thread takes a moment to start).
  const writes = setInterval(() => {
    if (middle !== "" || !hasSnapshot()) return;
    middle = new Date().toISOString();
    // Commit times have millisecond resolution: a write in the same millisecond as `middle` is "at" it.
    const after = Date.parse(middle) + 2;
    while (Date.now() < after) {}
    for (let i = 0; i < 5; i++) db.prepare("INSERT INTO notes (body) VALUES (?)").run(`late ${i}`);
  }, 20);
  const run = await runMain(
    [
      "data",
      "replicate",
      "--db",
      "app.db",
      "--to",
      "replica",
      "--interval",
      "100ms",
      "--for",
      "1500ms",
      "--key-file",
      "replica.key",
    ],
    { cwd: dir },
  );
  clearInterval(writes);
  assert.equal(run.status, 0, run.err);
  assert.notEqual(middle, "", "the late writes happened while it replicated");
  assert.match(
    run.out,
    /^replicating .*app\.db to .*replica \(generation \d{8}T\d{9}Z-[0-9a-f]{6}, key [0-9a-f]{16}\)/,
  );
  assert.match(run.out, /stopped: everything committed is stored/);

  const latest = await runMain(
    ["data", "restore", "--from", "replica", "--to", "latest.db", "--key-file", "replica.key"],
    {
      cwd: dir,
    },
  );
  assert.equal(latest.status, 0, latest.err);
  assert.match(latest.out, /restored .*latest\.db as of .* integrity_check ok, notes 15/);
  assert.equal(count("latest.db"), 15);

  const before = await runMain(
    [
      "data",
      "restore",
      "--from",
      "replica",
      "--to",
      "before.db",
      "--at",
      middle,
      "--key-file",
      "replica.key",
      "--json",
    ],
    { cwd: dir },
  );
  assert.equal(before.status, 0, before.err);
  assert.equal(JSON.parse(before.out).rowCounts.notes, 10, "at the moment before the late writes: the first ten");

  const nokey = await runMain(["data", "restore", "--from", "replica", "--to", "nokey.db"], { cwd: dir });
  assert.equal(nokey.status, 2);
  assert.match(nokey.err, /NINES_REPLICA_KEY_MISSING/);
  assert.equal(existsSync(join(dir, "nokey.db")), false);

  const badAt = await runMain(["data", "restore", "--from", "replica", "--to", "x.db", "--at", "yesterday"], {
    cwd: dir,
  });
  assert.equal(badAt.status, 2);
  assert.match(badAt.err, /--at must be latest or a time/);

  const quick = await runMain(
    ["data", "restore", "--from", "replica", "--to", "quick.db", "--key-file", "replica.key", "--check", "quick"],
    { cwd: dir },
  );
  assert.equal(quick.status, 0, quick.err);
  assert.match(quick.out, /restored .*quick\.db as of .* quick_check ok, notes 15/);
  const badCheck = await runMain(
    ["data", "restore", "--from", "replica", "--to", "y.db", "--key-file", "replica.key", "--check", "full"],
    { cwd: dir },
  );
  assert.equal(badCheck.status, 2);
  assert.match(badCheck.err, /--check must be integrity or quick, got 'full'/);
  assert.equal(existsSync(join(dir, "y.db")), false);

  const verify = await runMain(
    ["data", "verify", "--from", "replica", "--key-file", "replica.key", "--max-age", "1d"],
    {
      cwd: dir,
    },
  );
  assert.equal(verify.status, 0, verify.err);
  assert.match(verify.out, /^verified backup \d{8}T\d{9}Z-[0-9a-f]{6}\.\d{10}: RTO/);
  // A replica's RPO is seconds: printed in a unit that shows them, not as "0.00 h".
  assert.match(verify.out, /, RPO \d+(\.\d+)? (ms|s) \(newest-data\)/);
  assert.match(verify.out, /last successful verification .* \(\d+(\.\d+)? (ms|s) ago\)/);
  db.close();
});

it("stops cleanly on SIGTERM as a real process, having shipped every commit", async () => {
  const db = appDb("signal.db");
  const cli = fileURLToPath(new URL("../../../test/run-nines.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      cli,
      "data",
      "replicate",
      "--db",
      join(dir, "signal.db"),
      "--to",
      join(dir, "signal-replica"),
    ],
    // The repository's folder, where tsx is found; the paths are absolute.
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      out += `${line}\n`;
      if (line.startsWith("replicating")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before replicating: ${out}`)));
  });
  for (let i = 0; i < 25; i++) db.prepare("INSERT INTO notes (body) VALUES (?)").run(`n${i}`);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  assert.match(out, /stopped: everything committed is stored/);
  const restored = await runMain(["data", "restore", "--from", "signal-replica", "--to", "signal-restored.db"], {
    cwd: dir,
  });
  assert.equal(restored.status, 0, restored.err);
  assert.equal(count("signal-restored.db"), 25);
  db.close();
});
