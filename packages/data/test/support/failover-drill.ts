import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, type OnProgress, systemClock } from "@nines/core";
import type { Policy } from "@nines/resilience";
import pg from "pg";
import { FailoverClient } from "../../src/failover/failover-client.js";
import { Promoter } from "../../src/failover/promoter.js";
import { type ReplicationStatus, readReplicationStatus } from "../../src/failover/replication-status.js";
import { LocalPostgres } from "../../src/postgres/local-postgres.js";

/** The steps the drill reports on `onProgress`. */
const STEPS = 6;

export interface FailoverDrillOptions {
  /** The policy the writer's client runs every insert under (a bounded retry). */
  policy: Policy;
  /** Acknowledged writes before the primary is killed. Default 300. */
  writesBeforeCrash?: number;
  /** Acknowledged writes after the first one that succeeds on the new primary. Default 200. */
  writesAfterFailover?: number;
  /** Promoter check interval and failed checks in a row before promotion. Defaults 200 ms and 3. */
  intervalMs?: number;
  failureThreshold?: number;
  /** Where the clusters live; a temp dir (removed afterwards) by default. */
  dir?: string;
  clock?: Clock;
  /** Each step as it happens (`phase: "drill"`, `unit: "steps"`, a line for people in `message`). */
  onProgress?: OnProgress;
}

export interface FailoverDrillResult {
  /** Writes the client saw acknowledged. */
  acknowledged: number;
  /** Acknowledged writes missing from the promoted primary: the measured RPO in writes (0 is the goal). */
  lost: number;
  /** Milliseconds from the kill to the first acknowledged write on the new primary: the measured RTO. */
  rtoMs: number;
  /** Milliseconds from the kill until the promoter had promoted the standby. */
  promotedAfterMs: number;
  /** Replication as the primary saw it while both ran, while the standby was stopped, and after it returned. */
  replication: { healthy: ReplicationStatus; standbyDown: ReplicationStatus; recovered: ReplicationStatus };
}

/**
 * The failover proof, a harness for the tests and `npm run bench:failover`
 * (the drill package has its own): a primary and a synchronous standby on loopback, a
 * writer acknowledging rows one by one through a {@link FailoverClient},
 * the primary's whole process group killed with SIGKILL mid-stream, a
 * {@link Promoter} promoting the standby, and the writer carrying on. It
 * measures what the spec's `rpo` and `rto` promise: every acknowledged
 * write must survive, and RTO is how long writes were refused.
 *
 * @example
 * const result = await runFailoverDrill({ policy: failoverRetry() });
 * result.lost; // 0
 */
export async function runFailoverDrill(options: FailoverDrillOptions): Promise<FailoverDrillResult> {
  const clock = options.clock ?? systemClock;
  let step = 0;
  const progress = (message: string) =>
    options.onProgress?.({ phase: "drill", done: ++step, total: STEPS, unit: "steps", message });
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "nines-failover-"));
  // The server runs as the postgres user when we are root: it must be able to enter the folder.
  if (ownDir) chmodSync(dir, 0o755);
  const primary = await LocalPostgres.init({
    dir: join(dir, "primary"),
    settings: {
      wal_level: "replica",
      max_wal_senders: "5",
      wal_keep_size: "128MB",
      synchronous_commit: "on",
    },
  });
  let standby: LocalPostgres | undefined;
  let client: FailoverClient | undefined;
  let promoter: Promoter | undefined;
  try {
    await primary.start();
    progress(`primary up on port ${primary.port}`);
    await sql(primary.url(), "create table acks (id integer primary key, at timestamptz not null default now())");
    // The standby's own copy of synchronous_standby_names is cleared: once promoted it has no standby to wait for.
    standby = await LocalPostgres.standbyOf(primary, "standby1", {
      dir: join(dir, "standby"),
      settings: { hot_standby: "on", synchronous_standby_names: "''" },
    });
    await standby.start();
    // Synchronous replication is switched on only now: with no standby, every commit would wait.
    await sql(primary.url(), "alter system set synchronous_standby_names = 'standby1'");
    await sql(primary.url(), "select pg_reload_conf()");
    const healthy = await waitForSync(primary.url(), clock);
    progress("standby streaming in sync");

    await standby.stop();
    const standbyDown = await readStatus(primary.url());
    await standby.start();
    const recovered = await waitForSync(primary.url(), clock);
    progress(`replication degraded while the standby was down: ${standbyDown.degraded}; recovered`);

    client = new FailoverClient({
      hosts: [primary.url(), standby.url()],
      policy: options.policy,
      connectTimeoutMs: 500,
    });
    promoter = new Promoter({
      primary: primary.url(),
      standby: standby.url(),
      intervalMs: options.intervalMs ?? 200,
      failureThreshold: options.failureThreshold ?? 3,
      checkTimeoutMs: 500,
      clock,
    });
    let promotedAt = Number.NaN;
    promoter.on("promoted", (e) => {
      promotedAt = e.at;
    });
    promoter.start();

    const before = options.writesBeforeCrash ?? 300;
    const after = options.writesAfterFailover ?? 200;
    const acknowledged: number[] = [];
    let crashAt = Number.NaN;
    let firstAfterCrash = Number.NaN;
    let afterCount = 0;
    for (let id = 1; afterCount < after; id++) {
      if (acknowledged.length === before && Number.isNaN(crashAt)) {
        crashAt = clock.now();
        await primary.crash();
        progress(`primary killed with SIGKILL after ${before} acknowledged writes`);
      }
      await client.query("insert into acks (id) values ($1) on conflict (id) do nothing", [id]);
      acknowledged.push(id);
      if (!Number.isNaN(crashAt)) {
        if (Number.isNaN(firstAfterCrash)) {
          firstAfterCrash = clock.now();
          progress(`first write acknowledged by the new primary after ${firstAfterCrash - crashAt} ms`);
        }
        afterCount++;
      }
    }
    const present = await sql(standby.url(), "select id from acks");
    const ids = new Set(present.rows.map((r) => Number(r["id"])));
    const lost = acknowledged.filter((id) => !ids.has(id)).length;
    progress(`${acknowledged.length} writes acknowledged, ${lost} missing on the promoted standby`);
    return {
      acknowledged: acknowledged.length,
      lost,
      rtoMs: firstAfterCrash - crashAt,
      promotedAfterMs: promotedAt - crashAt,
      replication: { healthy, standbyDown, recovered },
    };
  } finally {
    await promoter?.stop();
    await client?.close();
    await standby?.stop();
    await primary.crash();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  }
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function readStatus(url: string): Promise<ReplicationStatus> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await readReplicationStatus(client);
  } finally {
    await client.end();
  }
}

async function waitForSync(url: string, clock: Clock): Promise<ReplicationStatus> {
  const deadline = clock.now() + 30_000;
  for (;;) {
    const status = await readStatus(url);
    if (!status.degraded && status.standbys.some((s) => s.syncState === "sync")) return status;
    if (clock.now() > deadline) {
      throw new Error(`the standby did not reach synchronous state in 30 s: ${JSON.stringify(status)}`);
    }
    await clock.sleep(50);
  }
}
