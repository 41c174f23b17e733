import { type Random, requireKnownOptions, requireOption, type Timer } from "@nines/core";
import type { SimClock } from "../engine/sim-clock.js";
import type { SimInstance } from "./instance.js";

/** Outlier ejection, with the options and defaults of `nines up`'s balancer. */
export interface OutlierOptions {
  /** Failed answers in a row (5xx, refused connections) that eject an instance (default 5). */
  failureThreshold?: number;
  /** The first ejection's length; the n-th in a row lasts n times as long (default 2000 ms). */
  baseEjectionMs?: number;
  /** Cap on one ejection (default 30,000 ms). */
  maxEjectionMs?: number;
  /** Never more than this share of the instances ejected at once (default 0.5). */
  maxEjectedRatio?: number;
}

/** Options of the balancer's health checks and outlier ejection, as `nines up`'s balancer takes them. */
export interface BalancerHealthOptions {
  /** How often each instance is checked (default 1000 ms). */
  intervalMs?: number;
  /** Failed checks in a row that take an instance out of rotation (default 2). */
  failureThreshold?: number;
  /** Passed checks in a row that bring it back (default 1). */
  successThreshold?: number;
  /** Outlier ejection (default on, with its defaults); false for none. */
  outlier?: OutlierOptions | false;
}

/** What the balancer routes to: an instance, where it runs, and its readiness. */
export interface BalancerNode {
  readonly instance: SimInstance;
  readonly zone: string;
  /** What the instance's readiness endpoint answers (default: the instance is up). */
  ready?(): boolean;
}

interface Backend<T extends BalancerNode> {
  readonly node: T;
  /** Healthy by the checks, not ejected, not removed: the one flag `pick` reads. */
  eligible: boolean;
  healthy: boolean;
  failures: number;
  successes: number;
  ejected: boolean;
  ejections: number;
  lastEjectedAt: number;
  timer: Timer | undefined;
}

const HEALTH_KEYS = ["intervalMs", "failureThreshold", "successThreshold", "outlier"];
const OUTLIER_KEYS = ["failureThreshold", "baseEjectionMs", "maxEjectionMs", "maxEjectedRatio"];

/**
 * The load balancer in front of one service, with `nines up`'s rule
 * (`orderBackends` in `@nines/drill`): eligible instances in the caller's
 * zone first, then those of the other zones (spill-over); within a group
 * the one with the fewest requests in flight, ties broken at random. The
 * drill's balancer sorts every backend because it tries the next one when
 * a connection fails; here only the first is needed, on every hop, so it is
 * found in one pass without allocating.
 *
 * An instance leaves the rotation after `failureThreshold` failed health
 * checks in a row (its readiness fails while it is down, starting, or its
 * checked dependencies are down), so a crash is noticed after a detection
 * delay; it comes back after `successThreshold` passed checks. An instance
 * that fails `outlier.failureThreshold` answers in a row is ejected for a
 * while, as Envoy's outlier detection does. Instances can be added
 * (autoscaling, out of rotation until a check passes) and removed.
 *
 * @example
 * const balancer = new Balancer(clock, random, [{ instance, zone: "us-central1-a" }], {});
 * balancer.pick("us-central1-a")?.instance; // the least loaded eligible instance, local first
 */
export class Balancer<T extends BalancerNode> {
  readonly #backends: Backend<T>[] = [];
  readonly #clock: SimClock;
  readonly #random: Random;
  readonly #intervalMs: number;
  readonly #failureThreshold: number;
  readonly #successThreshold: number;
  readonly #outlier: Required<OutlierOptions> | undefined;
  #ejected = 0;

  constructor(clock: SimClock, random: Random, nodes: readonly T[], health: BalancerHealthOptions) {
    requireKnownOptions("health", health, HEALTH_KEYS);
    this.#intervalMs = health.intervalMs ?? 1000;
    this.#failureThreshold = health.failureThreshold ?? 2;
    this.#successThreshold = health.successThreshold ?? 1;
    requireOption(this.#intervalMs > 0, "health", "intervalMs", this.#intervalMs, "> 0");
    for (const [name, value] of [
      ["failureThreshold", this.#failureThreshold],
      ["successThreshold", this.#successThreshold],
    ] as const) {
      requireOption(Number.isInteger(value) && value >= 1, "health", name, value, "an integer >= 1");
    }
    this.#outlier = health.outlier === false ? undefined : outlierOptions(health.outlier ?? {});
    this.#clock = clock;
    this.#random = random;
    for (const node of nodes) this.add(node, true);
  }

  /** The detection delay of a crash, at most: checks in a row that must fail, times their interval. */
  get detectionMs(): number {
    return this.#failureThreshold * this.#intervalMs;
  }

  /** Instances in rotation now. */
  get eligible(): number {
    let count = 0;
    for (const backend of this.#backends) if (backend.eligible) count++;
    return count;
  }

  /**
   * Puts a node behind the balancer and starts checking it. `healthy`:
   * whether it is in rotation before its first check (false for a new
   * instance that is still starting).
   */
  add(node: T, healthy: boolean): void {
    const backend: Backend<T> = {
      node,
      eligible: healthy,
      healthy,
      failures: 0,
      successes: 0,
      ejected: false,
      ejections: 0,
      lastEjectedAt: Number.NEGATIVE_INFINITY,
      timer: undefined,
    };
    this.#backends.push(backend);
    const clock = this.#clock;
    const check = (): void => {
      const node = backend.node;
      const ok = node.ready === undefined ? node.instance.up : node.ready();
      backend.failures = ok ? 0 : backend.failures + 1;
      backend.successes = ok ? backend.successes + 1 : 0;
      if (backend.healthy && backend.failures >= this.#failureThreshold) this.#setHealthy(backend, false);
      else if (!backend.healthy && backend.successes >= this.#successThreshold) this.#setHealthy(backend, true);
      backend.timer = clock.scheduleSync(this.#intervalMs, check);
    };
    // Checks of different instances are spread over the interval, as independent checkers would be.
    backend.timer = clock.scheduleSync(this.#random.next() * this.#intervalMs, check);
    const outlier = this.#outlier;
    if (outlier !== undefined) {
      node.instance.onFailure = (instance) => {
        if (instance.consecutiveFailures >= outlier.failureThreshold) this.#eject(backend, outlier);
      };
    }
  }

  /** Takes a node out for good (scaled in) and stops checking it. */
  remove(node: T): void {
    const index = this.#backends.findIndex((b) => b.node === node);
    if (index < 0) return;
    const [backend] = this.#backends.splice(index, 1);
    backend?.timer?.cancel();
    if (backend?.ejected) this.#ejected--;
    node.instance.onFailure = undefined;
  }

  /**
   * The node a request from `zone` (null: no zone, as at the edge) goes
   * to, leaving out the nodes in `tried`; undefined when none is eligible.
   */
  pick(zone: string | null, tried?: readonly T[]): T | undefined {
    let best: Backend<T> | undefined;
    let bestLocal = false;
    let ties = 0;
    for (const backend of this.#backends) {
      if (!backend.eligible || tried?.includes(backend.node)) continue;
      const local = zone === null || backend.node.zone === zone;
      if (best !== undefined && local === bestLocal) {
        const inflight = backend.node.instance.inflight;
        const bestInflight = best.node.instance.inflight;
        if (inflight > bestInflight) continue;
        // A tie: reservoir sampling keeps each tied backend with equal chance.
        if (inflight === bestInflight && this.#random.next() * ++ties >= 1) continue;
        if (inflight < bestInflight) ties = 1;
      } else if (best !== undefined && bestLocal) {
        continue;
      } else {
        ties = 1;
      }
      best = backend;
      bestLocal = local;
    }
    return best?.node;
  }

  #setHealthy(backend: Backend<T>, healthy: boolean): void {
    backend.healthy = healthy;
    backend.eligible = healthy && !backend.ejected;
  }

  #eject(backend: Backend<T>, outlier: Required<OutlierOptions>): void {
    backend.node.instance.consecutiveFailures = 0;
    if (backend.ejected || this.#ejected + 1 > Math.floor(this.#backends.length * outlier.maxEjectedRatio)) return;
    const now = this.#clock.now();
    const lengthOf = (ejections: number) => Math.min(outlier.maxEjectionMs, outlier.baseEjectionMs * ejections);
    // After a quiet spell the multiplier starts again from one.
    if (now - backend.lastEjectedAt > outlier.maxEjectionMs + lengthOf(Math.max(1, backend.ejections))) {
      backend.ejections = 0;
    }
    backend.ejections++;
    backend.lastEjectedAt = now;
    backend.ejected = true;
    backend.eligible = false;
    this.#ejected++;
    this.#clock.scheduleSync(lengthOf(backend.ejections), () => {
      if (!backend.ejected) return;
      backend.ejected = false;
      this.#ejected--;
      backend.eligible = backend.healthy;
    });
  }
}

function outlierOptions(options: OutlierOptions): Required<OutlierOptions> {
  requireKnownOptions("outlier", options, OUTLIER_KEYS);
  const resolved = {
    failureThreshold: options.failureThreshold ?? 5,
    baseEjectionMs: options.baseEjectionMs ?? 2000,
    maxEjectionMs: options.maxEjectionMs ?? 30_000,
    maxEjectedRatio: options.maxEjectedRatio ?? 0.5,
  };
  requireOption(
    Number.isInteger(resolved.failureThreshold) && resolved.failureThreshold >= 1,
    "outlier",
    "failureThreshold",
    resolved.failureThreshold,
    "an integer >= 1",
  );
  requireOption(resolved.baseEjectionMs > 0, "outlier", "baseEjectionMs", resolved.baseEjectionMs, "> 0");
  requireOption(
    resolved.maxEjectionMs >= resolved.baseEjectionMs,
    "outlier",
    "maxEjectionMs",
    resolved.maxEjectionMs,
    ">= baseEjectionMs",
  );
  requireOption(
    resolved.maxEjectedRatio > 0 && resolved.maxEjectedRatio <= 1,
    "outlier",
    "maxEjectedRatio",
    resolved.maxEjectedRatio,
    "in (0, 1]",
  );
  return resolved;
}
