import { type Random, requireKnownOptions, requireOption, type Timer } from "@nines/core";
import { type OutlierOptions, type OutlierPeer, OutlierRecord, OutlierRules } from "@nines/resilience";
import type { SimClock } from "../engine/sim-clock.js";
import type { SimInstance } from "./instance.js";
import { outlierOutcome } from "./outlier-ejection.js";

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

interface Backend<T extends BalancerNode> extends OutlierPeer {
  readonly node: T;
  /** Healthy by the checks, not ejected, not removed: the one flag `pick` reads. */
  eligible: boolean;
  healthy: boolean;
  failures: number;
  successes: number;
  timer: Timer | undefined;
}

const HEALTH_KEYS = ["intervalMs", "failureThreshold", "successThreshold", "outlier"];
// The window of a record when no rules read it.
const UNREAD_WINDOW_MS = 10_000;

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
 * delay; it comes back after `successThreshold` passed checks. Outlier
 * ejection follows `nines up`'s rules (`OutlierRules` of `@nines/resilience`, the same code): failures to
 * reach an instance in a row, or a failure rate far above its peers', and
 * never a guard's refusal. Instances can be added
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
  readonly #outlier: OutlierRules | undefined;

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
    this.#outlier = health.outlier === false ? undefined : new OutlierRules(health.outlier ?? {});
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
      record: new OutlierRecord(this.#outlier?.windowMs ?? UNREAD_WINDOW_MS),
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
      node.instance.onOutcome = (outcome) => {
        const now = clock.now();
        if (outlier.record(backend, outlierOutcome(outcome), this.#backends, now) !== null) this.#takeOut(backend, now);
      };
    }
  }

  /** Takes a node out for good (scaled in) and stops checking it. */
  remove(node: T): void {
    const index = this.#backends.findIndex((b) => b.node === node);
    if (index < 0) return;
    const [backend] = this.#backends.splice(index, 1);
    backend?.timer?.cancel();
    node.instance.onOutcome = undefined;
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
    backend.eligible = healthy && !backend.record.isEjected(this.#clock.now());
  }

  /** Takes an ejected backend out of rotation until its ejection ends. */
  #takeOut(backend: Backend<T>, now: number): void {
    backend.eligible = false;
    this.#clock.scheduleSync(backend.record.ejectionEndsAt - now, () => {
      backend.eligible = backend.healthy;
    });
  }
}
