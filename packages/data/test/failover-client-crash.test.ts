import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "@nines/core";
import pg from "pg";
import { LocalPostgres } from "../src/postgres/local-postgres.js";
import { postgresBinariesOrSkip } from "./support/server-binaries.js";

const CHILD = new URL("./support/failover-crash-child.ts", import.meta.url).pathname;
const RACE_CHILD = new URL("./support/failover-race-child.ts", import.meta.url).pathname;

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe("FailoverClient when the primary's server is SIGKILLed", postgresBinariesOrSkip(), () => {
  let dir = "";
  let primary: LocalPostgres;
  let standby: LocalPostgres | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nines-fc-crash-"));
    chmodSync(dir, 0o755);
    primary = await LocalPostgres.init({
      dir: join(dir, "primary"),
      settings: { wal_level: "replica", max_wal_senders: "5", synchronous_commit: "on" },
    });
    await primary.start();
    await sql(primary.url(), "create table t (id text primary key)");
    standby = await LocalPostgres.standbyOf(primary, "standby1", {
      dir: join(dir, "standby"),
      settings: { hot_standby: "on", synchronous_standby_names: "''" },
    });
    await standby.start();
    await sql(primary.url(), "alter system set synchronous_standby_names = 'standby1'");
    await sql(primary.url(), "select pg_reload_conf()");
  });

  after(async () => {
    await primary?.crash();
    await standby?.crash();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("survives with statements in flight and an idle pool, and writes to the promoted standby", async (t) => {
    const promoted = standby as LocalPostgres;
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", CHILD, primary.url(), promoted.url()],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    t.after(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const deadline = systemClock.now() + 30_000;
    while (!stdout.includes("ready\n") && child.exitCode === null && systemClock.now() < deadline) {
      await systemClock.sleep(20);
    }
    assert.match(stdout, /ready/, `the child did not start its statements: ${stderr}`);
    await systemClock.sleep(300); // the statements reach the server
    // Only the postmaster dies: PostgreSQL's backends lead their own process groups, notice
    // the loss and exit, closing their connections (the in-flight statements get no answer).
    await primary.crash();
    await systemClock.sleep(500);
    await promoted.promote();
    const code = await exited;
    assert.equal(code, 0, `the client process died (exit ${code}): ${stderr}`);
    const result = JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
      long: string[];
      primary: string;
      wrote: boolean;
    };
    // Idempotent statements whose connection dropped are retried on the new primary.
    assert.deepEqual(result.long, ["ok", "ok", "ok", "ok"]);
    assert.equal(result.primary, promoted.url());
    const check = new pg.Client({ connectionString: promoted.url() });
    await check.connect();
    try {
      const rows = await check.query("select id from t where id = 'after' or id like 'before-%' order by id");
      assert.equal(rows.rows.length, 6, "the writes before the crash (synchronous) and after it are on the standby");
    } finally {
      await check.end();
    }
  });
});

describe("FailoverClient when a connection ends in the same breath as it opens", () => {
  it("survives a FATAL read with the ready-for-query that hands the client out (no unhandled 'error')", async () => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", RACE_CHILD], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    assert.equal(code, 0, `the client process died (exit ${code}): ${stderr}`);
    const { outcomes } = JSON.parse(stdout.trim().split("\n").at(-1) as string) as { outcomes: string[] };
    // Each statement fails (its connection was gone before it ran): as an error, never a crash.
    assert.equal(outcomes.length, 5);
    assert.ok(!outcomes.includes("ok"), JSON.stringify(outcomes));
  });
});
