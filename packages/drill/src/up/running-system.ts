import { type Clock, Events, type OnProgress, type Unsubscribe } from "@nines/core";
import type { LoadBalancer, LoadBalancerEvents } from "../balancer/load-balancer.js";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import type { FaultMode } from "../fault/fault-mode.js";
import type { ZoneNetwork } from "../fault/zone-network.js";
import type { MetricsPoller } from "../metrics/instance-metrics.js";
import type { PostgresBinaries } from "../postgres/postgres-binaries.js";
import type { RunDirectory } from "../process/run-directory.js";
import type { InstanceInfo, SupervisorEvents } from "../process/service-run.js";
import type { Supervisor } from "../process/supervisor.js";
import { Autoscaler } from "./autoscaler.js";
import type { FailoverEvent, PostgresMemberView, RebuildEvent } from "./stores/postgres-store.js";
import type { Stores } from "./stores/stores.js";
import type { SystemPlan } from "./system-plan.js";
import { buildSnapshot, type SystemEvent, type SystemSnapshot } from "./system-snapshot.js";

/** Where a journey's requests come in: the entry service's balancer, listening for every zone alike. */
export interface FrontDoor {
  service: string;
  /** The edge component it stands for, null when the spec names none. */
  via: string | null;
  url: string;
}

/** Everything a running system emits: the supervisor's instance events, failovers and standbys made again, autoscaling, balancer health. */
export interface RunningSystemEvents extends SupervisorEvents {
  failover: FailoverEvent;
  rebuilt: RebuildEvent;
  scaled: { service: string; zone: string; from: number; to: number; at: number };
  health: LoadBalancerEvents["health"];
  ejected: LoadBalancerEvents["ejected"];
}

/** The parts {@link RunningSystem} holds (built by `up()`). */
export interface SystemParts {
  plan: SystemPlan;
  run: RunDirectory;
  supervisor: Supervisor;
  network: ZoneNetwork;
  balancers: Map<string, LoadBalancer>;
  frontDoors: FrontDoor[];
  stores: Stores;
  metrics: MetricsPoller;
  clock: Clock;
}

/** How {@link RunningSystem.start} brings the parts up. */
export interface SystemStartOptions {
  /** The autoscaler's period (default 5000 ms) and scale-down stabilization window (default 30000 ms). */
  autoscale?: { intervalMs?: number; scaleDownDelayMs?: number };
  /** Longest wait, once every instance is ready, for the balancers' first passing checks; default 5000 ms. */
  healthyTimeoutMs?: number;
  onProgress?: OnProgress;
}

const RECENT_EVENTS = 12;

/**
 * A spec's system running on this machine (what `up()` returns): instances
 * per zone behind zone-aware balancers and fault proxies, its stores, the
 * autoscaler. It offers what a drill needs: kill an instance, lose or
 * partition a zone, fault one link, crash a database member, resize a
 * zone, read per-service snapshots; and `stop()`, which drains everything
 * and leaves nothing running.
 *
 * @example
 * const system = await up(loadSpec("nines.yaml"));
 * await system.killInstance("web-us-central1-a-0"); // replaced after its scaled start-up time
 * await system.loseZone("us-central1-a");
 * system.snapshot().services.map((s) => [s.name, s.rate, s.errorRatio]);
 * await system.restoreZone("us-central1-a");
 * await system.stop();
 */
export class RunningSystem {
  readonly plan: SystemPlan;
  /** The run directory: logs in `logs/`, stores in `stores/` and `postgres-<store>/`, pid files in `pids/`. */
  readonly runDir: string;
  readonly logsDir: string;
  readonly frontDoors: readonly FrontDoor[];
  /** Where PostgreSQL's programs came from, null when no store needs it. */
  readonly postgres: PostgresBinaries | null;
  readonly #parts: SystemParts;
  readonly #autoscaler: Autoscaler;
  readonly #events = new Events<RunningSystemEvents>();
  readonly #recent: SystemEvent[] = [];
  readonly #attached = new Set<string>();
  #stopping: Promise<void> | undefined;

  private constructor(parts: SystemParts, options: SystemStartOptions) {
    this.#parts = parts;
    this.#autoscaler = new Autoscaler({
      targets: parts.plan.services.flatMap((s) =>
        s.autoscale ? [{ service: s.name, zones: s.zones, startupMs: s.replaceDelayMs, ...s.autoscale }] : [],
      ),
      metrics: () => parts.metrics.latest(),
      scalable: this,
      ...options.autoscale,
      clock: parts.clock,
      onScaled: (e) => {
        this.#note(e.at, `${e.service} in ${e.zone} scaled from ${e.from} to ${e.to}`);
        this.#events.emit("scaled", e);
      },
    });
    this.plan = parts.plan;
    this.runDir = parts.run.path;
    this.logsDir = parts.run.file("logs");
    this.frontDoors = parts.frontDoors;
    this.postgres = parts.stores.binaries;
    const { supervisor } = parts;
    for (const type of ["starting", "ready", "exit", "replacing"] as const) {
      supervisor.on(type, (event) => this.#events.emit(type, event as never));
    }
    // An instance joins its balancer once ready (its id keeps the place across replacements):
    // a balancer never tries a process that is still starting.
    supervisor.on("ready", (e) => void this.#attach(e.instance).catch(() => {}));
    supervisor.on("exit", (e) => {
      if (e.reason !== "stopped") this.#note(e.at, `${e.instance} ${e.reason === "crashed" ? "crashed" : e.reason}`);
    });
    supervisor.on("ready", (e) => {
      if (e.generation > 0) this.#note(e.at, `${e.instance} replaced, ready in ${e.startMs} ms`);
    });
    for (const lb of parts.balancers.values()) {
      lb.on("health", (e) => this.#events.emit("health", e));
      lb.on("ejected", (e) => {
        const why = e.reason === "failureRate" ? "failing more than its peers" : "unreachable";
        this.#note(e.at, `${e.backend} ejected by the ${e.service} balancer (${why})`);
        this.#events.emit("ejected", e);
      });
    }
  }

  /**
   * Wires the parts, starts every instance and resolves once all are ready
   * and their balancers' checks pass; then starts the metrics, the
   * autoscaler and the database watches. On failure everything started is
   * stopped before the error is thrown.
   */
  static async start(parts: SystemParts, options: SystemStartOptions = {}): Promise<RunningSystem> {
    const system = new RunningSystem(parts, options);
    const total = parts.plan.services.reduce((n, s) => n + s.zones.length * s.instancesPerZone, 0);
    let ready = 0;
    const off = parts.supervisor.on("ready", (e) => {
      ready++;
      options.onProgress?.({ phase: "instances", done: ready, total, unit: "instances", message: e.instance });
    });
    try {
      await parts.supervisor.start();
      await system.#balancersHealthy(options.healthyTimeoutMs ?? 5000);
    } catch (error) {
      await system.stop();
      throw error;
    } finally {
      off();
    }
    parts.metrics.start();
    system.#autoscaler.start();
    for (const db of parts.stores.postgres.values()) {
      db.watch({
        onFailover: (e) => {
          system.#note(e.at, `${e.store} failed over from ${e.fromZone} to ${e.toZone} in ${e.promoteMs} ms`);
          system.#events.emit("failover", e);
        },
        onRebuilt: (e) => {
          system.#note(e.at, `${e.store} has a standby again in ${e.zone} (${e.method}, ${e.rebuildMs} ms)`);
          system.#events.emit("rebuilt", e);
        },
      });
    }
    return system;
  }

  /** The URL of the first journey's entry (the front door). */
  get frontDoor(): string {
    return this.frontDoors[0]?.url ?? "";
  }

  on<K extends keyof RunningSystemEvents>(type: K, listener: (event: RunningSystemEvents[K]) => void): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** Every instance (of `service`), with its zone, port, state and pid. */
  instances(service?: string): InstanceInfo[] {
    const all = this.#parts.supervisor.instances();
    return service === undefined ? all : all.filter((i) => i.service === service);
  }

  /** The zones lost by {@link loseZone} and not yet restored. */
  lostZones(): string[] {
    return this.#parts.supervisor.lostZones();
  }

  /** Per service: rate, errors, p99, instances by zone with health, breakers, autoscaling; the stores; recent events. */
  snapshot(): SystemSnapshot {
    const p = this.#parts;
    const door = this.frontDoors[0];
    return buildSnapshot({
      plan: this.plan,
      at: p.clock.now(),
      frontDoor: door ? { service: door.service, via: door.via, url: door.url } : null,
      instances: p.supervisor.instances(),
      lostZones: p.supervisor.lostZones(),
      partitionedZones: p.network.partitioned(),
      balancers: new Map([...p.balancers].map(([name, lb]) => [name, lb.snapshot()])),
      metrics: p.metrics.latest(),
      autoscale: this.#autoscaler.status(),
      stores: p.stores.views(this.plan.zones.map((z) => z.zone)),
      events: [...this.#recent],
    });
  }

  /** SIGKILL of one instance (a crash); autohealing replaces it after its scaled start-up time. */
  async killInstance(id: string): Promise<void> {
    await this.#parts.supervisor.killInstance(id);
  }

  /**
   * Loses a zone: its network is cut (connections to it hang), every
   * instance in it is killed and not replaced, and a database member there
   * crashes (the watch promotes the standby when it was the primary).
   */
  async loseZone(zone: string): Promise<void> {
    this.#zone(zone);
    this.partitionZone(zone);
    if (this.instances().some((i) => i.zone === zone)) await this.#parts.supervisor.killZone(zone);
    for (const db of this.#parts.stores.postgres.values()) {
      const member = db.inZone(zone);
      if (member?.up) await db.crash(member.role);
    }
    this.#note(this.#parts.clock.now(), `zone ${zone} lost`);
  }

  /** Brings a lost zone back: network healed, instances started again; resolves when they are ready. A database member lost there is made again by the watch (a new standby). */
  async restoreZone(zone: string): Promise<void> {
    this.healZone(zone);
    this.#note(this.#parts.clock.now(), `zone ${zone} restored`);
    if (this.instances().some((i) => i.zone === zone)) await this.#parts.supervisor.restoreZone(zone);
  }

  /** Cuts a zone's network (instances and database members there): connections hang until {@link healZone}. */
  partitionZone(zone: string): void {
    if (this.#zone(zone)) this.#parts.network.partition(zone);
  }

  healZone(zone: string): void {
    if (this.#zone(zone)) this.#parts.network.heal(zone);
  }

  /** Puts a fault on one instance's link (or a database member's: `<store>-primary`): latency, errors, blackhole... */
  setFault(id: string, mode: FaultMode): void {
    this.#parts.network.setMode(id, mode);
  }

  /** Crashes a PostgreSQL member (SIGKILL); after a primary's crash the watch promotes the standby. */
  async crashDatabase(store: string, role: "primary" | "standby" = "primary"): Promise<void> {
    await this.#postgres(store).crash(role);
    this.#note(this.#parts.clock.now(), `${store} ${role} crashed`);
  }

  /** A PostgreSQL store's members, primary first, with direct URLs for checks after a drill. */
  database(store: string): PostgresMemberView[] {
    return this.#postgres(store).members();
  }

  /**
   * Sets how many instances of `service` run in `zone`; new ones join the
   * balancer once ready, surplus ones leave it before they drain.
   */
  async setInstances(service: string, zone: string, count: number): Promise<void> {
    const { supervisor, balancers, network } = this.#parts;
    const surplus = supervisor
      .instances()
      .filter((i) => i.service === service && i.zone === zone)
      .slice(count);
    for (const i of surplus) balancers.get(service)?.removeBackend(i.id);
    await supervisor.setInstances(service, zone, count);
    for (const i of surplus) {
      await network.remove(i.id);
      this.#attached.delete(i.id);
    }
  }

  /**
   * Restarts every instance of `service`, one at a time, with `env` added
   * to its environment (`{}` restores the spec's): each leaves its
   * balancer, drains, starts again and rejoins once ready. A drill uses it
   * to run callers with other call policies (`NINES_CALLS`).
   */
  async restartService(service: string, env: Record<string, string>): Promise<void> {
    const { supervisor, balancers } = this.#parts;
    supervisor.setEnv(service, env);
    const lost = new Set(supervisor.lostZones());
    for (const instance of this.instances(service).filter((i) => !lost.has(i.zone))) {
      // The autoscaler may have removed it meanwhile.
      if (!this.instances(service).some((i) => i.id === instance.id)) continue;
      balancers.get(service)?.removeBackend(instance.id);
      this.#attached.delete(instance.id);
      await supervisor.restartInstance(instance.id);
    }
    this.#note(
      this.#parts.clock.now(),
      `${service} restarted with ${Object.keys(env).join(", ") || "its own environment"}`,
    );
  }

  /**
   * Drains and stops everything: autoscaler and watches, instances
   * (SIGTERM, their drain, SIGKILL after the grace), balancers, proxies,
   * PostgreSQL, and the run directory's reaper. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#teardown();
    return this.#stopping;
  }

  async #teardown(): Promise<void> {
    const p = this.#parts;
    this.#autoscaler.stop();
    p.metrics.stop();
    await p.supervisor.stop().catch(() => {});
    await Promise.all([...p.balancers.values()].map((lb) => lb.close().catch(() => {})));
    await p.network.close().catch(() => {});
    await p.stores.stop();
    await p.run.close();
  }

  async #balancersHealthy(timeoutMs: number): Promise<void> {
    const { clock, balancers } = this.#parts;
    const deadlineAt = clock.now() + timeoutMs;
    const allHealthy = () => [...balancers.values()].every((lb) => lb.snapshot().backends.every((b) => b.healthy));
    while (!allHealthy() && clock.now() < deadlineAt) await clock.sleep(50);
  }

  async #attach(id: string): Promise<void> {
    if (this.#attached.has(id)) return;
    this.#attached.add(id);
    const info = this.#parts.supervisor.instances().find((i) => i.id === id);
    if (!info) return;
    const network = this.#parts.network;
    const url = network.proxy(id)?.url ?? (await network.add({ id, zone: info.zone, port: info.port }));
    this.#parts.balancers.get(info.service)?.addBackend({ id, zone: info.zone, url });
  }

  #note(at: number, text: string): void {
    this.#recent.push({ at, text });
    if (this.#recent.length > RECENT_EVENTS) this.#recent.shift();
  }

  /** Checks a zone name; true when something of the system runs there. */
  #zone(zone: string): boolean {
    if (!this.plan.zones.some((z) => z.zone === zone)) {
      throw new DrillError(DRILL_ERRORS.unknownName, `up: no zone "${zone}" in ${this.plan.name}`, {
        hint: `zones are ${this.plan.zones.map((z) => z.zone).join(", ")}`,
      });
    }
    return (
      this.instances().some((i) => i.zone === zone) ||
      [...this.#parts.stores.postgres.values()].some((db) => db.inZone(zone))
    );
  }

  #postgres(store: string) {
    const db = this.#parts.stores.postgres.get(store);
    if (!db) {
      throw new DrillError(DRILL_ERRORS.unknownName, `up: no PostgreSQL store "${store}"`, {
        hint: `PostgreSQL stores are ${[...this.#parts.stores.postgres.keys()].join(", ") || "none"}`,
      });
    }
    return db;
  }
}
