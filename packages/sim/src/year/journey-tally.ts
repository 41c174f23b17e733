/**
 * What takes a journey down, largest failure domain first; when several
 * hold at once, the downtime goes to the first. `start-up`, `failover` and
 * `detection` are the spec's recovery times: they are zero when the year
 * runs with instant recovery.
 *
 * @example
 * const cause: DowntimeCause = "zone-outage";
 */
export type DowntimeCause =
  | "region-outage"
  | "zone-outage"
  | "managed-outage"
  | "instance-failures"
  | "failover"
  | "start-up"
  | "detection";

/** The causes in the order they take the blame. */
export const DOWNTIME_CAUSES: readonly DowntimeCause[] = [
  "region-outage",
  "zone-outage",
  "managed-outage",
  "instance-failures",
  "failover",
  "start-up",
  "detection",
];

/** A part of a journey as the tally sees it: the share of requests it can answer now, and why not all. */
export interface Part {
  /** 1 when up, 0 when down, in between while some of its requests fail (detection). */
  fraction: number;
  /** Why it is not fully up (null when it is). */
  cause: DowntimeCause | null;
  readonly journeys: JourneyTally[];
}

/**
 * One journey over simulated years: at every change of one of its parts,
 * the time since the last change is credited at the journey's success
 * fraction then (the product of its parts' fractions: 0 when one is
 * down), and the rest is charged to the cause that took the blame.
 * Counts incidents (intervals in which some requests fail) and outages
 * (intervals in which all do), and closes one figure per period.
 *
 * @example
 * const tally = new JourneyTally("book-trip", parts.length, 0);
 * tally.change(now, part, 0, "zone-outage"); // a part went down
 */
export class JourneyTally {
  readonly name: string;
  /** Availability of each closed period (a month of the run). */
  readonly periods: number[] = [];
  /** Incidents and outages begun in each closed period. */
  readonly periodIncidents: number[] = [];
  readonly periodOutages: number[] = [];
  /** Downtime charged to each cause over the whole run, in ms (fully-down equivalent). */
  readonly lostMs = new Float64Array(DOWNTIME_CAUSES.length);
  /** Summed length of every incident, in ms, over the whole run. */
  incidentMs = 0;
  fraction = 1;
  #down = 0;
  readonly #downByCause = new Int32Array(DOWNTIME_CAUSES.length);
  /** Parts not fully up, with the fraction and cause they told: a part updates its own fields only after. */
  readonly #hurt = new Map<Part, { fraction: number; cause: DowntimeCause | null }>();
  #lastAt: number;
  #periodGoodMs = 0;
  #periodStartAt: number;
  #incidents = 0;
  #outages = 0;

  constructor(name: string, startAt: number) {
    this.name = name;
    this.#lastAt = startAt;
    this.#periodStartAt = startAt;
  }

  /** Takes in a part's state at the start (before any event). */
  add(part: Part): void {
    this.#enter(part, part.fraction, part.cause);
    this.fraction = this.#fraction();
  }

  /** A part's fraction or cause changes to the given ones at `now`. */
  change(now: number, part: Part, fraction: number, cause: DowntimeCause | null): void {
    this.#credit(now);
    this.#leave(part);
    this.#enter(part, fraction, cause);
    const before = this.fraction;
    this.fraction = this.#fraction();
    if (before === 1 && this.fraction < 1) this.#incidents++;
    if (before > 0 && this.fraction === 0) this.#outages++;
  }

  /** Ends the period at `now`: records its availability, incidents and outages. */
  closePeriod(now: number): void {
    this.#credit(now);
    const lengthMs = now - this.#periodStartAt;
    this.periods.push(lengthMs > 0 ? this.#periodGoodMs / lengthMs : 1);
    this.periodIncidents.push(this.#incidents);
    this.periodOutages.push(this.#outages);
    this.#periodGoodMs = 0;
    this.#incidents = this.#outages = 0;
    this.#periodStartAt = now;
  }

  #credit(now: number): void {
    const dt = now - this.#lastAt;
    if (dt <= 0) return;
    this.#lastAt = now;
    const fraction = this.fraction;
    this.#periodGoodMs += fraction * dt;
    if (fraction === 1) return;
    this.incidentMs += dt;
    this.lostMs[this.#blame()] = (this.lostMs[this.#blame()] as number) + (1 - fraction) * dt;
  }

  /** The cause that takes the blame now: the largest domain among the down parts, else among the partial ones. */
  #blame(): number {
    if (this.#down > 0) {
      for (let i = 0; i < DOWNTIME_CAUSES.length; i++) if ((this.#downByCause[i] as number) > 0) return i;
    }
    let best = DOWNTIME_CAUSES.length - 1;
    for (const state of this.#hurt.values()) {
      const index = DOWNTIME_CAUSES.indexOf(state.cause ?? "detection");
      if (index < best) best = index;
    }
    return best;
  }

  #enter(part: Part, fraction: number, cause: DowntimeCause | null): void {
    if (fraction === 0) {
      this.#down++;
      const index = DOWNTIME_CAUSES.indexOf(cause ?? "instance-failures");
      this.#downByCause[index] = (this.#downByCause[index] as number) + 1;
      this.#hurt.set(part, { fraction, cause });
    } else if (fraction < 1) {
      this.#hurt.set(part, { fraction, cause });
    }
  }

  #leave(part: Part): void {
    const state = this.#hurt.get(part);
    if (state === undefined) return;
    this.#hurt.delete(part);
    if (state.fraction === 0) {
      this.#down--;
      const index = DOWNTIME_CAUSES.indexOf(state.cause ?? "instance-failures");
      this.#downByCause[index] = (this.#downByCause[index] as number) - 1;
    }
  }

  #fraction(): number {
    if (this.#down > 0) return 0;
    let fraction = 1;
    for (const state of this.#hurt.values()) fraction *= state.fraction;
    return fraction;
  }
}
