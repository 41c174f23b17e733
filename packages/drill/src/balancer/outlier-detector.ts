import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import type { ErrorKind } from "../load/request-log.js";
import { OutcomeWindow } from "./outcome-window.js";

/** Options of {@link OutlierDetector}; the defaults are `nines up`'s. */
export interface OutlierOptions {
  /** Failures to reach an instance in a row (connection refused or not made in time, reset, no answer within the balancer's `timeoutMs`) that eject it; default 5. */
  failureThreshold?: number;
  /** Eject an instance whose failure rate over `windowMs` is at least this much above that of the other instances together; a ratio in (0, 1], default 0.5. */
  failureRateAbovePeers?: number;
  /** Requests an instance, and the other instances together, must have had over `windowMs` before their failure rates are compared; default 50. */
  minimumCalls?: number;
  /** The window of the failure rates; default 10000 ms. */
  windowMs?: number;
  /** The first ejection's length; the n-th in a row lasts n times as long; default 2000 ms. */
  baseEjectionMs?: number;
  /** Cap on one ejection; default 30000 ms. */
  maxEjectionMs?: number;
  /** At most this share of the instances ejected at once, rounded down; default 0.1. Where that is no instance, one may still be ejected while every other is healthy. */
  maxEjectedRatio?: number;
  clock?: Clock;
}

/** An instance of the service as the detector compares it: its id, and whether it passes its active checks. */
export interface OutlierPeer {
  id: string;
  healthy: boolean;
}

/** Why an instance was ejected: failures to reach it in a row, or a failure rate far above its peers'. */
export type EjectReason = "consecutiveFailures" | "failureRate";

/** How a failed request to an instance ended: `answer` is a 5xx it answered (other than a refusal); the rest are {@link ErrorKind}s. */
export type FailureKind = "answer" | ErrorKind;

// A peer that fails at least this share of its recent requests is not healthy enough to carry a small group alone.
const HEALTHY_FAILURE_RATE = 0.5;

interface State {
  /** Failures to reach it since it last answered. */
  unreachable: number;
  window: OutcomeWindow;
  ejections: number;
  ejectionEndsAt: number;
  lastEjectedAt: number;
}

/**
 * Outlier ejection that takes out an instance only for what says the
 * instance itself is bad, so that a dependency's outage, which makes every
 * instance answer 5xx, ejects none:
 * - `failureThreshold` failures in a row to reach it (refused, reset, no
 *   answer in time: Envoy's `consecutive_local_origin_failure`);
 * - a failure rate over `windowMs` (5xx answers other than a guard's
 *   refusal, and failures to reach it) at least `failureRateAbovePeers`
 *   above the other instances' together, both over `minimumCalls` requests
 *   (Envoy's success-rate rule, compared with the peers rather than a
 *   spread that needs five instances).
 * An ejection lasts `baseEjectionMs` times the instance's recent ejections,
 * at most `maxEjectionMs`; at most `maxEjectedRatio` of the instances are
 * out at once, and where that rounds down to none, one may go while every
 * other instance passes its checks, is not ejected and answers at least
 * half of its recent requests successfully; a single instance never goes.
 * A refusal for overload is neither a failure nor a success.
 *
 * @example
 * const outliers = new OutlierDetector({ minimumCalls: 10, clock });
 * const peers = [{ id: "web-a-0", healthy: true }, { id: "web-a-1", healthy: true }];
 * for (let i = 0; i < 10; i++) outliers.recordSuccess("web-a-1");
 * for (let i = 0; i < 10; i++) outliers.recordFailure("web-a-0", "answer", peers); // "failureRate" at the 10th
 * outliers.isEjected("web-a-0"); // true, for 2000 ms
 */
export class OutlierDetector {
  readonly #failureThreshold: number;
  readonly #failureRateAbovePeers: number;
  readonly #minimumCalls: number;
  readonly #windowMs: number;
  readonly #baseEjectionMs: number;
  readonly #maxEjectionMs: number;
  readonly #maxEjectedRatio: number;
  readonly #clock: Clock;
  readonly #states = new Map<string, State>();

  constructor(options: OutlierOptions = {}) {
    requireKnownOptions("outlier", options, [
      "failureThreshold",
      "failureRateAbovePeers",
      "minimumCalls",
      "windowMs",
      "baseEjectionMs",
      "maxEjectionMs",
      "maxEjectedRatio",
      "clock",
    ]);
    this.#failureThreshold = options.failureThreshold ?? 5;
    this.#failureRateAbovePeers = options.failureRateAbovePeers ?? 0.5;
    this.#minimumCalls = options.minimumCalls ?? 50;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#baseEjectionMs = options.baseEjectionMs ?? 2000;
    this.#maxEjectionMs = options.maxEjectionMs ?? 30_000;
    this.#maxEjectedRatio = options.maxEjectedRatio ?? 0.1;
    this.#clock = options.clock ?? systemClock;
    const integer = (v: number) => Number.isInteger(v) && v >= 1;
    requireOption(
      integer(this.#failureThreshold),
      "outlier",
      "failureThreshold",
      this.#failureThreshold,
      "an integer >= 1",
    );
    requireOption(integer(this.#minimumCalls), "outlier", "minimumCalls", this.#minimumCalls, "an integer >= 1");
    const ratio = (v: number) => v > 0 && v <= 1;
    requireOption(
      ratio(this.#failureRateAbovePeers),
      "outlier",
      "failureRateAbovePeers",
      this.#failureRateAbovePeers,
      "in (0, 1]",
    );
    requireOption(ratio(this.#maxEjectedRatio), "outlier", "maxEjectedRatio", this.#maxEjectedRatio, "in (0, 1]");
    requireOption(this.#windowMs > 0, "outlier", "windowMs", this.#windowMs, "> 0");
    requireOption(this.#baseEjectionMs > 0, "outlier", "baseEjectionMs", this.#baseEjectionMs, "> 0");
    requireOption(
      this.#maxEjectionMs >= this.#baseEjectionMs,
      "outlier",
      "maxEjectionMs",
      this.#maxEjectionMs,
      ">= baseEjectionMs",
    );
  }

  /** An answer below 500 from `id`. */
  recordSuccess(id: string): void {
    const state = this.#state(id);
    state.unreachable = 0;
    state.window.record(this.#clock.now(), false);
  }

  /** A guard's refusal from `id`: overload, not failure; it did answer, so its run of failures to reach it ends. */
  recordRefusal(id: string): void {
    this.#state(id).unreachable = 0;
  }

  /**
   * A failed request to `id`; `peers` are the service's instances (`id`
   * among them), to compare it with and to hold the cap. Returns why this
   * ejected it, or null.
   */
  recordFailure(id: string, kind: FailureKind, peers: readonly OutlierPeer[]): EjectReason | null {
    const state = this.#state(id);
    const now = this.#clock.now();
    state.window.record(now, true);
    // Only the balancer's own failures to reach it say the instance is bad whatever its dependencies do;
    // `other` (an error not about the connection) counts in its failure rate only.
    if (kind === "answer") state.unreachable = 0;
    else if (kind !== "other") state.unreachable++;
    if (this.isEjected(id)) return null;
    const reason: EjectReason | null =
      state.unreachable >= this.#failureThreshold
        ? "consecutiveFailures"
        : this.#failsAbovePeers(id, state, peers, now)
          ? "failureRate"
          : null;
    if (reason === null || !this.#mayEject(id, peers, now)) return null;
    if (now - state.lastEjectedAt > this.#maxEjectionMs + this.ejectionMs(id)) state.ejections = 0;
    state.ejections++;
    state.lastEjectedAt = now;
    state.ejectionEndsAt = now + this.ejectionMs(id);
    state.unreachable = 0;
    state.window.clear();
    return reason;
  }

  isEjected(id: string): boolean {
    return this.#clock.now() < (this.#states.get(id)?.ejectionEndsAt ?? 0);
  }

  /** When `id`'s current ejection ends (epoch ms), or null when it is not ejected. */
  ejectionEndsAt(id: string): number | null {
    return this.isEjected(id) ? (this.#states.get(id)?.ejectionEndsAt ?? null) : null;
  }

  /** The length of `id`'s current (or last) ejection. */
  ejectionMs(id: string): number {
    const ejections = Math.max(1, this.#states.get(id)?.ejections ?? 1);
    return Math.min(this.#maxEjectionMs, this.#baseEjectionMs * ejections);
  }

  /** Drops what is known of `id` (the instance left the service). */
  forget(id: string): void {
    this.#states.delete(id);
  }

  #failsAbovePeers(id: string, state: State, peers: readonly OutlierPeer[], now: number): boolean {
    const own = state.window.counts(now);
    if (own.calls < this.#minimumCalls) return false;
    let calls = 0;
    let failures = 0;
    for (const peer of peers) {
      const counts = peer.id === id ? undefined : this.#states.get(peer.id)?.window.counts(now);
      if (!counts) continue;
      calls += counts.calls;
      failures += counts.failures;
    }
    if (calls < this.#minimumCalls) return false;
    return own.failures / own.calls - failures / calls >= this.#failureRateAbovePeers;
  }

  #mayEject(id: string, peers: readonly OutlierPeer[], now: number): boolean {
    const others = peers.filter((p) => p.id !== id);
    if (others.length === 0) return false;
    const ejected = others.filter((p) => this.isEjected(p.id)).length;
    const cap = Math.floor(peers.length * this.#maxEjectedRatio);
    if (ejected < cap) return true;
    // Where the cap rounds down to none, one may still go (as Envoy lets one go whatever the cap),
    // but only when the others are healthy: in a group of two or three, its load moves onto them.
    return cap === 0 && others.every((p) => this.#isSound(p, now));
  }

  #isSound(peer: OutlierPeer, now: number): boolean {
    if (!peer.healthy || this.isEjected(peer.id)) return false;
    const counts = this.#states.get(peer.id)?.window.counts(now);
    return !counts || counts.calls === 0 || counts.failures / counts.calls < HEALTHY_FAILURE_RATE;
  }

  #state(id: string): State {
    let state = this.#states.get(id);
    if (!state) {
      state = {
        unreachable: 0,
        window: new OutcomeWindow(this.#windowMs),
        ejections: 0,
        ejectionEndsAt: 0,
        lastEjectedAt: Number.NEGATIVE_INFINITY,
      };
      this.#states.set(id, state);
    }
    return state;
  }
}
