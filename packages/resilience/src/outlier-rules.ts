import { requireKnownOptions, requireOption } from "@nines/core";
import type { OutlierRecord } from "./outlier-record.js";

/**
 * Options of {@link OutlierRules}; the defaults are `nines up`'s balancer's.
 *
 * @example
 * const options: OutlierOptions = { failureThreshold: 3, minimumCalls: 20 };
 */
export interface OutlierOptions {
  /** Failures to reach an instance in a row (refused, reset, no answer in time) that eject it (default 5). */
  failureThreshold?: number;
  /** Eject an instance whose failure rate over `windowMs` is at least this much above that of the other instances together; a ratio in (0, 1] (default 0.5). */
  failureRateAbovePeers?: number;
  /** Requests an instance, and the other instances together, must have had over `windowMs` before their failure rates are compared (default 50). */
  minimumCalls?: number;
  /** The window of the failure rates (default 10,000 ms). */
  windowMs?: number;
  /** The first ejection's length; the n-th in a row lasts n times as long (default 2000 ms). */
  baseEjectionMs?: number;
  /** Cap on one ejection (default 30,000 ms). */
  maxEjectionMs?: number;
  /** At most this share of the instances ejected at once, rounded down (default 0.1); where that is none, one may still go while every other is sound. */
  maxEjectedRatio?: number;
}

/**
 * How a request a balancer sent to an instance ended: an answer below 500
 * (`success`), a guard's refusal for overload (`refusal`: neither a
 * failure nor a success, but it did answer), a 5xx the instance answered
 * (`answer`), a failure to reach it (`unreachable`: refused, reset, no
 * answer in time), or another failure that counts in its failure rate only
 * (`other`).
 */
export type OutlierOutcome = "success" | "refusal" | "answer" | "unreachable" | "other";

/** Why an instance was ejected: failures to reach it in a row, or a failure rate far above its peers'. */
export type EjectReason = "consecutiveFailures" | "failureRate";

/**
 * What the rules read of an instance of the service: whether it passes its
 * health checks, and its record.
 *
 * @example
 * const peer: OutlierPeer = { healthy: true, record: new OutlierRecord(10_000) };
 */
export interface OutlierPeer {
  readonly healthy: boolean;
  readonly record: OutlierRecord;
}

const KNOWN_OPTIONS = [
  "failureThreshold",
  "failureRateAbovePeers",
  "minimumCalls",
  "windowMs",
  "baseEjectionMs",
  "maxEjectionMs",
  "maxEjectedRatio",
];
// A peer that fails at least this share of its recent requests is not sound enough to carry a small group alone.
const SOUND_FAILURE_RATE = 0.5;

/**
 * Outlier ejection that takes out an instance only for what says the
 * instance itself is bad, so that a dependency's outage, which makes every
 * instance answer 5xx alike, ejects none:
 * - `failureThreshold` failures to reach it in a row (refused, reset, no
 *   answer in time: Envoy's `consecutive_local_origin_failure`; any answer
 *   ends the run, a 5xx included);
 * - a failure rate over `windowMs` (5xx answers other than a guard's
 *   refusal, failures to reach it) at least `failureRateAbovePeers` above
 *   the other instances' together, each side over `minimumCalls` requests
 *   (Envoy's success-rate rule, compared with the peers rather than a
 *   spread that needs five instances).
 * A refusal for overload is neither a failure nor a success. An ejection
 * lasts `baseEjectionMs` times the instance's recent ejections, at most
 * `maxEjectionMs`; at most `maxEjectedRatio` of the instances are out at
 * once, and where that rounds down to none, one may go while every other
 * passes its checks, is not ejected and fails less than half of its recent
 * requests; a single instance never goes. The rules keep no clock: `nines
 * up`'s balancer and the simulator's pass their own time, so both eject
 * exactly the same instances.
 *
 * @example
 * const rules = new OutlierRules({ minimumCalls: 10 });
 * const reason = rules.record(peer, "unreachable", peers, clock.now());
 * if (reason !== null) takeOut(peer, peer.record.ejectionEndsAt);
 */
export class OutlierRules {
  readonly windowMs: number;
  readonly #failureThreshold: number;
  readonly #failureRateAbovePeers: number;
  readonly #minimumCalls: number;
  readonly #baseEjectionMs: number;
  readonly #maxEjectionMs: number;
  readonly #maxEjectedRatio: number;

  constructor(options: OutlierOptions = {}) {
    requireOption(typeof options === "object" && options !== null, "outlier", "options", options, "an object");
    requireKnownOptions("outlier", options, KNOWN_OPTIONS);
    this.#failureThreshold = options.failureThreshold ?? 5;
    this.#failureRateAbovePeers = options.failureRateAbovePeers ?? 0.5;
    this.#minimumCalls = options.minimumCalls ?? 50;
    this.windowMs = options.windowMs ?? 10_000;
    this.#baseEjectionMs = options.baseEjectionMs ?? 2000;
    this.#maxEjectionMs = options.maxEjectionMs ?? 30_000;
    this.#maxEjectedRatio = options.maxEjectedRatio ?? 0.1;
    for (const [name, value] of [
      ["failureThreshold", this.#failureThreshold],
      ["minimumCalls", this.#minimumCalls],
    ] as const) {
      requireOption(Number.isInteger(value) && value >= 1, "outlier", name, value, "an integer >= 1");
    }
    for (const [name, value] of [
      ["failureRateAbovePeers", this.#failureRateAbovePeers],
      ["maxEjectedRatio", this.#maxEjectedRatio],
    ] as const) {
      requireOption(value > 0 && value <= 1, "outlier", name, value, "in (0, 1]");
    }
    requireOption(this.windowMs > 0, "outlier", "windowMs", this.windowMs, "> 0");
    requireOption(this.#baseEjectionMs > 0, "outlier", "baseEjectionMs", this.#baseEjectionMs, "> 0");
    requireOption(
      this.#maxEjectionMs >= this.#baseEjectionMs,
      "outlier",
      "maxEjectionMs",
      this.#maxEjectionMs,
      ">= baseEjectionMs",
    );
  }

  /**
   * Records how a request to `peer` ended, at `now`; `peers` are the
   * service's instances (`peer` among them, the same object), to compare
   * it with and to hold the cap. Returns why this ejected it (its record's
   * `ejectionEndsAt` then says until when), or null.
   */
  record(peer: OutlierPeer, outcome: OutlierOutcome, peers: readonly OutlierPeer[], now: number): EjectReason | null {
    const record = peer.record;
    if (outcome === "refusal") {
      record.unreachable = 0;
      return null;
    }
    const failed = outcome !== "success";
    record.count(now, failed);
    // Only failures to reach it say the instance is bad whatever its dependencies do; `other` counts in its rate only.
    if (outcome === "success" || outcome === "answer") record.unreachable = 0;
    else if (outcome === "unreachable") record.unreachable++;
    if (!failed || record.isEjected(now)) return null;
    const reason: EjectReason | null =
      record.unreachable >= this.#failureThreshold
        ? "consecutiveFailures"
        : this.#failsAbovePeers(peer, peers, now)
          ? "failureRate"
          : null;
    if (reason === null || !this.#mayEject(peer, peers, now)) return null;
    if (now - record.lastEjectedAt > this.#maxEjectionMs + this.ejectionMs(record)) record.ejections = 0;
    record.ejections++;
    record.lastEjectedAt = now;
    record.ejectionEndsAt = now + this.ejectionMs(record);
    record.unreachable = 0;
    record.clear();
    return reason;
  }

  /** The length of the record's current (or last) ejection. */
  ejectionMs(record: OutlierRecord): number {
    return Math.min(this.#maxEjectionMs, this.#baseEjectionMs * Math.max(1, record.ejections));
  }

  #failsAbovePeers(peer: OutlierPeer, peers: readonly OutlierPeer[], now: number): boolean {
    const own = peer.record;
    // The peers' rate is at least 0: an instance below the margin on its own is below it against them.
    if (own.calls < this.#minimumCalls || own.failures / own.calls < this.#failureRateAbovePeers) return false;
    let calls = 0;
    let failures = 0;
    for (const other of peers) {
      if (other === peer) continue;
      other.record.advance(now);
      calls += other.record.calls;
      failures += other.record.failures;
    }
    if (calls < this.#minimumCalls) return false;
    return own.failures / own.calls - failures / calls >= this.#failureRateAbovePeers;
  }

  #mayEject(peer: OutlierPeer, peers: readonly OutlierPeer[], now: number): boolean {
    let others = 0;
    let ejected = 0;
    for (const other of peers) {
      if (other === peer) continue;
      others++;
      if (other.record.isEjected(now)) ejected++;
    }
    if (others === 0) return false;
    const cap = Math.floor(peers.length * this.#maxEjectedRatio);
    if (ejected < cap) return true;
    // Where the cap rounds down to none, one may still go (as Envoy lets one go whatever the cap), but only
    // while the others are sound: in a group of two or three, its load moves onto them.
    if (cap > 0) return false;
    for (const other of peers) {
      if (other === peer) continue;
      const record = other.record;
      if (!other.healthy || record.isEjected(now)) return false;
      record.advance(now);
      if (record.calls > 0 && record.failures / record.calls >= SOUND_FAILURE_RATE) return false;
    }
    return true;
  }
}
