import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Clock, systemClock } from "@nines/core";
import { LocalPostgres } from "@nines/data";
import pg from "pg";
import type { ZoneNetwork } from "../../fault/zone-network.js";
import type { PostgresBinaries } from "../../postgres/postgres-binaries.js";
import { type PostgresMember, PostgresPair } from "../../postgres/postgres-pair.js";
import { freePort } from "../../process/free-port.js";
import type { RunDirectory } from "../../process/run-directory.js";
import type { PlannedStore } from "../system-plan.js";

/** A PostgreSQL member as the system shows it. */
export interface PostgresMemberView {
  role: "primary" | "standby";
  zone: string;
  /** Alive (its process runs). */
  up: boolean;
  /** The URL through its zone's network (what instances get). */
  url: string;
  /** The URL straight to the server (for checks after a drill). */
  directUrl: string;
}

/** A standby the watch made again after one was lost. */
export interface RebuildEvent {
  store: string;
  /** Where the new standby runs (where the lost member ran). */
  zone: string;
  /** `pg_basebackup` while the primary serves, or `stop-copy` (the primary stopped for the copy). */
  method: "pg_basebackup" | "stop-copy";
  /** From the start of the copy until the standby streamed (synchronously when the store's replica is). */
  rebuildMs: number;
  at: number;
}

/** A failover the watch performed. */
export interface FailoverEvent {
  store: string;
  /** When the watch found the primary down. */
  detectedAt: number;
  /** Time from detection until the standby accepted writes. */
  promoteMs: number;
  fromZone: string;
  toZone: string;
  at: number;
}

type PostgresPlan = Extract<PlannedStore, { kind: "postgres" }>;

/**
 * One PostgreSQL store of a local run: a primary and, when the spec has a
 * replica, a standby (a {@link PostgresPair}), each reached through a
 * fault proxy in its zone, so that a zone's partition cuts the database
 * off too. A watch does what the platform's HA does: when the primary's
 * process is gone it promotes the standby, and when the standby is gone it
 * lets the primary commit alone (as Patroni's non-strict synchronous mode)
 * and makes a new standby where the lost one was, once that zone's network
 * is not cut off (`PostgresPair.rebuildStandby`), so the store survives
 * the next crash too.
 *
 * @example
 * const db = await PostgresStore.start({ run, plan, binaries, network });
 * db.urls(); // "postgres://postgres@127.0.0.1:41001/orders-db,postgres://postgres@127.0.0.1:41002/orders-db"
 * await db.crash("primary"); // the watch promotes the standby
 * await db.stop();
 */
export class PostgresStore {
  readonly name: string;
  readonly #pair: PostgresPair | undefined;
  #single: PostgresMember | undefined;
  /** Each member's URL through its zone's network, by zone (a rebuilt standby keeps its zone's). */
  readonly #proxyUrls = new Map<string, string>();
  readonly #run: RunDirectory;
  readonly #network: ZoneNetwork;
  readonly #clock: Clock;
  #watch: { stop: AbortController; done: Promise<void> } | undefined;
  #relaxed = false;

  private constructor(
    name: string,
    run: RunDirectory,
    network: ZoneNetwork,
    clock: Clock,
    pair?: PostgresPair,
    single?: PostgresMember,
  ) {
    this.name = name;
    this.#run = run;
    this.#network = network;
    this.#clock = clock;
    this.#pair = pair;
    this.#single = single;
  }

  static async start(options: {
    run: RunDirectory;
    plan: PostgresPlan;
    binaries: PostgresBinaries;
    network: ZoneNetwork;
    clock?: Clock;
  }): Promise<PostgresStore> {
    const { run, plan, binaries, network } = options;
    const clock = options.clock ?? systemClock;
    const folder = `postgres-${plan.name}`;
    let store: PostgresStore;
    if (plan.standbyZone !== null) {
      const pair = await PostgresPair.start({
        run,
        name: folder,
        primaryZone: plan.primaryZone,
        standbyZone: plan.standbyZone,
        databases: [plan.name],
        binaries,
        synchronous: plan.synchronous,
        clock,
      });
      store = new PostgresStore(plan.name, run, network, clock, pair);
    } else {
      const root = run.file(folder);
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      // The server runs as the `postgres` user when we are root: it must reach its data directory.
      chmodSync(run.path, 0o755);
      chmodSync(root, 0o755);
      const port = await freePort(); // below the ephemeral range, as the instances' ports
      const server = await LocalPostgres.init({ dir: join(root, "primary"), port, binDir: binaries.binDir, clock });
      await server.start();
      run.register(`${folder}-primary`, server.pid as number);
      await query(server.url(), `create database "${plan.name.replaceAll('"', '""')}"`);
      store = new PostgresStore(plan.name, run, network, clock, undefined, {
        role: "primary",
        zone: plan.primaryZone,
        server,
      });
    }
    for (const member of store.#members()) {
      const proxy = await network.add({
        id: `${plan.name}-${member.role}`,
        zone: member.zone,
        port: member.server.port,
      });
      store.#proxyUrls.set(member.zone, `${proxy.replace("http://", "postgres://postgres@")}/${plan.name}`);
    }
    return store;
  }

  /** The members, primary first. */
  members(): PostgresMemberView[] {
    return this.#members().map((m) => ({
      role: m.role,
      zone: m.zone,
      up: m.server.running,
      url: this.#proxyUrls.get(m.zone) as string,
      directUrl: m.server.url(this.name),
    }));
  }

  /** The URLs instances get (`DATABASE_URLS`): every member through its zone's network, in start order. */
  urls(): string {
    return [...this.#proxyUrls.values()].join(",");
  }

  /** SIGKILL of a member's process group (a crash, no checkpoint). */
  async crash(role: "primary" | "standby"): Promise<void> {
    if (this.#pair) await this.#pair.crash(role);
    else if (role === "primary" && this.#single) {
      await this.#single.server.crash();
      this.#run.unregister(`postgres-${this.name}-primary`);
    }
  }

  /** The member running in `zone`, if any. */
  inZone(zone: string): PostgresMemberView | undefined {
    return this.members().find((m) => m.zone === zone);
  }

  /**
   * Starts the watch: every `intervalMs`, a primary whose process is gone
   * is replaced by the standby (promotion); a lost standby no longer holds
   * the primary's commits, and is made again once its zone is reachable
   * (after a failed attempt, `retryMs` later).
   */
  watch(
    options: {
      intervalMs?: number;
      retryMs?: number;
      onFailover?: (event: FailoverEvent) => void;
      onRebuilt?: (event: RebuildEvent) => void;
    } = {},
  ): void {
    if (this.#watch || !this.#pair) return;
    const stop = new AbortController();
    const pair = this.#pair;
    let retryAt = Number.NEGATIVE_INFINITY;
    const loop = async () => {
      while (!stop.signal.aborted) {
        await this.#clock.sleep(options.intervalMs ?? 200, stop.signal).catch(() => {});
        if (stop.signal.aborted) return;
        const { primary, standby } = pair;
        if (!primary.server.running && standby.server.running && standby.role === "standby") {
          const detectedAt = this.#clock.now();
          const promoteMs = await pair.promote().catch(() => null);
          if (promoteMs === null) continue;
          this.#relaxed = true;
          const event = { store: this.name, detectedAt, promoteMs, fromZone: primary.zone, toZone: standby.zone };
          options.onFailover?.({ ...event, at: this.#clock.now() });
        } else if (primary.server.running && !standby.server.running) {
          if (!this.#relaxed) {
            this.#relaxed = await query(
              primary.server.url(),
              "alter system set synchronous_standby_names = ''",
              "select pg_reload_conf()",
            ).then(
              () => true,
              () => false,
            );
          }
          if (this.#network.partitioned().includes(standby.zone) || this.#clock.now() < retryAt) continue;
          const rebuilt = await pair.rebuildStandby().catch(() => null);
          if (rebuilt === null) {
            retryAt = this.#clock.now() + (options.retryMs ?? 5000);
            continue;
          }
          this.#relaxed = false;
          options.onRebuilt?.({ store: this.name, zone: standby.zone, ...rebuilt, at: this.#clock.now() });
        }
      }
    };
    this.#watch = { stop, done: loop() };
  }

  /** Stops the watch and both servers (fast shutdown). */
  async stop(): Promise<void> {
    this.#watch?.stop.abort();
    // A standby being made is started by then: wait for it, so that it is stopped below.
    await this.#watch?.done;
    if (this.#pair) await this.#pair.stop();
    else if (this.#single?.server.running) {
      await this.#single.server.stop();
      this.#run.unregister(`postgres-${this.name}-primary`);
    }
  }

  #members(): PostgresMember[] {
    if (this.#pair) return [this.#pair.primary, this.#pair.standby];
    return this.#single ? [this.#single] : [];
  }
}

async function query(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
