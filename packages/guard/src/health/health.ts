import { type Clock, Events, type Listener, requireOption, systemClock, type Unsubscribe } from "@nines/core";
import { type CheckReport, type CheckRun, HealthCheck, type HealthCheckOptions } from "./health-check.js";

/** Which probe a report answers. */
export type ProbeKind = "liveness" | "readiness" | "startup";

/** The overall state a probe reports. */
export type ProbeStatus = "live" | "ready" | "degraded" | "unready" | "starting" | "started" | "draining";

/** The JSON body of `/livez`, `/readyz` and `/startupz`. */
export interface HealthReport {
  status: ProbeStatus;
  /** HTTP status: 200 when the probe passes, 503 when not. */
  httpStatus: 200 | 503;
  checks: Record<string, CheckReport>;
}

/** Events of {@link Health}, for metrics and logs. */
export interface HealthEvents {
  /** A check function ran (not fired for cached answers). */
  checkRun: { name: string; critical: boolean; run: CheckRun; status: string };
  /** Readiness changed (ready and degraded both count as ready). */
  readinessChange: { ready: boolean; status: ProbeStatus };
}

/** Options of {@link Health}. */
export interface HealthOptions {
  /** Dependencies that must answer for the instance to be ready (database, called services). */
  readiness?: HealthCheckOptions[];
  /** Checks that the process itself can serve; keep them cheap and local (no dependencies). */
  liveness?: HealthCheckOptions[];
  /** `immediate` (default): started at once; `manual`: not ready until `markStarted()`. */
  startup?: "immediate" | "manual";
  /** Time source of the checks' timeouts and caches (default the system clock). */
  clock?: Clock;
}

/**
 * Liveness, readiness and startup as three reports. Readiness is false
 * before startup, while draining, and while any critical check is down; a
 * non-critical check that is down makes it `degraded` but still ready.
 * Liveness stays true while draining: the process can still serve the
 * requests it has.
 *
 * @example
 * const health = new Health({ readiness: [{ name: "db", check: () => db.ping() }], startup: "manual", clock });
 * await init();
 * health.markStarted();
 * (await health.readiness()).status; // "ready"
 */
export class Health {
  readonly readinessChecks: readonly HealthCheck[];
  readonly livenessChecks: readonly HealthCheck[];
  readonly #events = new Events<HealthEvents>();
  #started: boolean;
  #draining = false;
  #lastReady: boolean | undefined;

  constructor(options: HealthOptions) {
    const clock = options.clock ?? systemClock;
    const onRun = (check: HealthCheck, run: CheckRun) => {
      if (this.#events.has("checkRun"))
        this.#events.emit("checkRun", { name: check.name, critical: check.critical, run, status: check.status });
    };
    this.readinessChecks = (options.readiness ?? []).map((o) => new HealthCheck({ ...o, clock }, onRun));
    this.livenessChecks = (options.liveness ?? []).map((o) => new HealthCheck({ ...o, clock }, onRun));
    for (const list of [this.readinessChecks, this.livenessChecks]) {
      const names = list.map((c) => c.name);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      requireOption(twice === undefined, "health", "check name", twice, "unique within liveness and within readiness");
    }
    this.#started = (options.startup ?? "immediate") === "immediate";
  }

  on<K extends keyof HealthEvents>(type: K, listener: Listener<HealthEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  get started(): boolean {
    return this.#started;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Initialisation is done: startup passes and readiness may pass. */
  markStarted(): void {
    this.#started = true;
  }

  /** Readiness fails from now on (the drain calls this first). */
  markDraining(): void {
    this.#draining = true;
    this.#noteReadiness(false, "draining");
  }

  async liveness(): Promise<HealthReport> {
    await Promise.all(this.livenessChecks.map((c) => c.current()));
    const down = this.livenessChecks.some((c) => c.status === "down");
    return { status: down ? "unready" : "live", httpStatus: down ? 503 : 200, checks: reports(this.livenessChecks) };
  }

  async readiness(): Promise<HealthReport> {
    // Checks run even while starting or draining, so the report shows them.
    await Promise.all(this.readinessChecks.map((c) => c.current()));
    const status = this.#readinessStatus();
    const ready = status === "ready" || status === "degraded";
    this.#noteReadiness(ready, status);
    return { status, httpStatus: ready ? 200 : 503, checks: reports(this.readinessChecks) };
  }

  startup(): HealthReport {
    return this.#started
      ? { status: "started", httpStatus: 200, checks: {} }
      : { status: "starting", httpStatus: 503, checks: {} };
  }

  #readinessStatus(): ProbeStatus {
    if (this.#draining) return "draining";
    if (!this.#started) return "starting";
    let degraded = false;
    for (const check of this.readinessChecks) {
      if (check.status === "up") continue;
      if (check.critical) return "unready";
      degraded = true;
    }
    return degraded ? "degraded" : "ready";
  }

  #noteReadiness(ready: boolean, status: ProbeStatus): void {
    if (this.#lastReady === ready) return;
    this.#lastReady = ready;
    this.#events.emit("readinessChange", { ready, status });
  }
}

function reports(checks: readonly HealthCheck[]): Record<string, CheckReport> {
  const out: Record<string, CheckReport> = {};
  for (const check of checks) out[check.name] = check.report();
  return out;
}
