import { requireKnownOptions, requireOption } from "@nines/core";

/** Outlier ejection, with the options and defaults of `nines up`'s balancer (`OutlierOptions` of `@nines/drill`). */
export interface OutlierOptions {
  /** Failures to reach an instance in a row (refused connections, resets) that eject it (default 5). */
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
 * How a request the balancer sent to an instance ended: an answer below 500
 * (`success`), a guard's refusal for overload (`refusal`: neither a failure
 * nor a success), a 5xx the instance answered (`answer`), a refused
 * connection (`connect`) or one reset by a crash (`reset`).
 */
export type SimOutcome = "success" | "refusal" | "answer" | "connect" | "reset";

/** What the rules read of an instance of the service: whether it passes its health checks, and its record. */
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
const BUCKETS = 10;
// A peer that fails at least this share of its recent requests is not sound enough to carry a small group alone.
const SOUND_FAILURE_RATE = 0.5;

/**
 * One instance's record for outlier ejection: its failures to reach it in
 * a row, its requests and failures over the window (ten buckets of
 * `windowMs / 10`, with running totals, so recording and reading cost the
 * same at any request rate), and its ejections.
 *
 * @example
 * const record = new OutlierRecord(10_000);
 * record.count(clock.now(), true);
 * record.calls; // 1, until the window passes it
 */
export class OutlierRecord {
  /** Failures to reach the instance since it last answered. */
  unreachable = 0;
  ejected = false;
  /** Ejections in a row (they lengthen each one). */
  ejections = 0;
  lastEjectedAt = Number.NEGATIVE_INFINITY;
  /** Requests over the window, as of the last {@link advance}. */
  calls = 0;
  /** Failed requests over the window, as of the last {@link advance}. */
  failures = 0;
  readonly #bucketMs: number;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #failures = new Float64Array(BUCKETS);
  /** The newest bucket's number (time / bucket length). */
  #bucket = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  /** Counts one request that ended at `at`. */
  count(at: number, failed: boolean): void {
    this.advance(at);
    const slot = slotOf(this.#bucket);
    (this.#calls[slot] as number)++;
    this.calls++;
    if (failed) {
      (this.#failures[slot] as number)++;
      this.failures++;
    }
  }

  /** Moves the window to `now`: what fell out of it leaves the totals. */
  advance(now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    if (bucket <= this.#bucket) return;
    if (bucket - this.#bucket >= BUCKETS) {
      this.clear();
    } else {
      for (let b = this.#bucket + 1; b <= bucket; b++) {
        const slot = slotOf(b);
        this.calls -= this.#calls[slot] as number;
        this.failures -= this.#failures[slot] as number;
        this.#calls[slot] = 0;
        this.#failures[slot] = 0;
      }
    }
    this.#bucket = bucket;
  }

  /** Forgets the window: an instance back from an ejection is judged on what it does next. */
  clear(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.calls = 0;
    this.failures = 0;
  }
}

function slotOf(bucket: number): number {
  return ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
}

/**
 * `nines up`'s outlier rules (`OutlierDetector` of `@nines/drill`, which
 * the simulator may not import), so that a simulation ejects what `nines
 * up` would eject, and only that: an instance goes for what says that it
 * itself is bad, never for a dependency's outage, which makes every
 * instance answer 5xx alike:
 * - `failureThreshold` failures to reach it in a row (refused, reset;
 *   any answer ends the run, a 5xx included);
 * - a failure rate over `windowMs` (5xx answers, failures to reach it) at
 *   least `failureRateAbovePeers` above the other instances' together,
 *   each side over `minimumCalls` requests.
 * A guard's refusal is neither a failure nor a success. An ejection lasts
 * `baseEjectionMs` times the instance's recent ejections, at most
 * `maxEjectionMs`; at most `maxEjectedRatio` of the instances are out at
 * once, and where that rounds down to none, one may go while every other
 * passes its checks, is not ejected and fails less than half of its recent
 * requests; a single instance never goes.
 *
 * @example
 * const rules = new OutlierRules({ minimumCalls: 10 });
 * if (rules.eject(peer, "connect", peers, clock.now())) balancer.takeOut(peer, rules.ejectionMs(peer.record));
 */
export class OutlierRules {
  readonly windowMs: number;
  readonly #failureThreshold: number;
  readonly #failureRateAbovePeers: number;
  readonly #minimumCalls: number;
  readonly #baseEjectionMs: number;
  readonly #maxEjectionMs: number;
  readonly #maxEjectedRatio: number;

  constructor(options: OutlierOptions) {
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
   * service's instances (`peer` among them). True when this ejects it:
   * the record says so, and the caller takes it out for
   * {@link ejectionMs} and then calls {@link restore}.
   */
  eject(peer: OutlierPeer, outcome: SimOutcome, peers: readonly OutlierPeer[], now: number): boolean {
    const record = peer.record;
    if (outcome === "refusal") {
      record.unreachable = 0;
      return false;
    }
    const failed = outcome !== "success";
    record.count(now, failed);
    if (outcome === "success" || outcome === "answer") record.unreachable = 0;
    else record.unreachable++;
    if (!failed || record.ejected) return false;
    const outlier = record.unreachable >= this.#failureThreshold || this.#failsAbovePeers(peer, peers, now);
    if (!outlier || !this.#mayEject(peer, peers, now)) return false;
    if (now - record.lastEjectedAt > this.#maxEjectionMs + this.ejectionMs(record)) record.ejections = 0;
    record.ejections++;
    record.lastEjectedAt = now;
    record.ejected = true;
    record.unreachable = 0;
    record.clear();
    return true;
  }

  /** The length of the record's current (or last) ejection. */
  ejectionMs(record: OutlierRecord): number {
    return Math.min(this.#maxEjectionMs, this.#baseEjectionMs * Math.max(1, record.ejections));
  }

  /** Ends an ejection. */
  restore(record: OutlierRecord): void {
    record.ejected = false;
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
    if (peers.length < 2) return false;
    let ejected = 0;
    for (const other of peers) if (other !== peer && other.record.ejected) ejected++;
    const cap = Math.floor(peers.length * this.#maxEjectedRatio);
    if (ejected < cap) return true;
    // Where the cap rounds down to none, one may still go (as Envoy lets one go whatever the cap), but only
    // while the others are sound: in a group of two or three, its load moves onto them.
    if (cap > 0) return false;
    for (const other of peers) {
      if (other === peer) continue;
      const record = other.record;
      if (!other.healthy || record.ejected) return false;
      record.advance(now);
      if (record.calls > 0 && record.failures / record.calls >= SOUND_FAILURE_RATE) return false;
    }
    return true;
  }
}
