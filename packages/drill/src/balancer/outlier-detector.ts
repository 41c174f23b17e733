import { type Clock, systemClock } from "@nines/core";
import {
  type EjectReason,
  type OutlierOptions,
  type OutlierOutcome,
  OutlierRecord,
  OutlierRules,
  type OutlierPeer as RulesPeer,
} from "@nines/resilience";
import type { ErrorKind } from "../load/request-log.js";

export type { EjectReason, OutlierOptions };

/** An instance of the service as the detector compares it: its id, and whether it passes its active checks. */
export interface OutlierPeer {
  id: string;
  healthy: boolean;
}

/** How a failed request to an instance ended: `answer` is a 5xx it answered (other than a refusal); the rest are {@link ErrorKind}s. */
export type FailureKind = "answer" | ErrorKind;

/**
 * `nines up`'s outlier ejection: the rules of `OutlierRules` in
 * `@nines/resilience` (the simulator's balancer runs the same code), kept
 * per instance id on the balancer's clock. An instance goes only for what
 * says that it itself is bad: failures to reach it in a row (refused,
 * reset, no answer in time), or a failure rate far above its peers'; a
 * dependency's outage, which makes every instance answer 5xx, ejects none,
 * and a refusal for overload is neither a failure nor a success.
 *
 * @example
 * const outliers = new OutlierDetector({ minimumCalls: 10, clock });
 * const peers = [{ id: "web-a-0", healthy: true }, { id: "web-a-1", healthy: true }];
 * for (let i = 0; i < 10; i++) outliers.recordSuccess("web-a-1");
 * for (let i = 0; i < 10; i++) outliers.recordFailure("web-a-0", "answer", peers); // "failureRate" at the 10th
 * outliers.isEjected("web-a-0"); // true, for 2000 ms
 */
export class OutlierDetector {
  readonly #rules: OutlierRules;
  readonly #clock: Clock;
  readonly #records = new Map<string, OutlierRecord>();

  constructor(options: OutlierOptions & { clock?: Clock } = {}) {
    const { clock, ...rules } = options;
    this.#rules = new OutlierRules(rules);
    this.#clock = clock ?? systemClock;
  }

  /** An answer below 500 from `id`. */
  recordSuccess(id: string): void {
    this.#record(id, "success", []);
  }

  /** A guard's refusal from `id`: overload, not failure; it did answer, so its run of failures to reach it ends. */
  recordRefusal(id: string): void {
    this.#record(id, "refusal", []);
  }

  /**
   * A failed request to `id`; `peers` are the service's instances (`id`
   * among them), to compare it with and to hold the cap. Returns why this
   * ejected it, or null.
   */
  recordFailure(id: string, kind: FailureKind, peers: readonly OutlierPeer[]): EjectReason | null {
    // Only the balancer's own failures to reach it say the instance is bad whatever its dependencies do;
    // `other` (an error not about the connection) counts in its failure rate only.
    const outcome: OutlierOutcome = kind === "answer" ? "answer" : kind === "other" ? "other" : "unreachable";
    return this.#record(id, outcome, peers);
  }

  isEjected(id: string): boolean {
    return this.#records.get(id)?.isEjected(this.#clock.now()) ?? false;
  }

  /** When `id`'s current ejection ends (epoch ms), or null when it is not ejected. */
  ejectionEndsAt(id: string): number | null {
    return this.isEjected(id) ? (this.#records.get(id)?.ejectionEndsAt ?? null) : null;
  }

  /** The length of `id`'s current (or last) ejection. */
  ejectionMs(id: string): number {
    return this.#rules.ejectionMs(this.#recordOf(id));
  }

  /** Drops what is known of `id` (the instance left the service). */
  forget(id: string): void {
    this.#records.delete(id);
  }

  #record(id: string, outcome: OutlierOutcome, peers: readonly OutlierPeer[]): EjectReason | null {
    const self: RulesPeer = { healthy: true, record: this.#recordOf(id) };
    const group = peers.map((peer) =>
      peer.id === id ? self : { healthy: peer.healthy, record: this.#recordOf(peer.id) },
    );
    return this.#rules.record(self, outcome, group, this.#clock.now());
  }

  #recordOf(id: string): OutlierRecord {
    let record = this.#records.get(id);
    if (record === undefined) {
      record = new OutlierRecord(this.#rules.windowMs);
      this.#records.set(id, record);
    }
    return record;
  }
}
