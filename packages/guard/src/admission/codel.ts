import { requireOption } from "@nines/core";

export interface CoDelOptions {
  /** Acceptable standing queue delay, in ms. Default 5. */
  targetMs?: number;
  /** How long the queue must stay above target before it counts as overloaded, in ms. Default 100. */
  intervalMs?: number;
}

/**
 * CoDel as applied to server request queues (Facebook's "Fail at Scale"):
 * if the shortest queue delay seen during the last interval was above the
 * target, the queue is overloaded and requests may wait only `targetMs`
 * (times two, for slack); otherwise they may wait a whole `intervalMs`.
 * A burst is absorbed; a standing queue is cut short, so latency stays
 * bounded and the server spends its time on requests that can still make
 * their deadline.
 *
 * @example
 * const codel = new CoDel({ targetMs: 5, intervalMs: 100 });
 * codel.shouldDrop(now, queuedForMs); // true when the request waited too long for the current state
 */
export class CoDel {
  readonly targetMs: number;
  readonly intervalMs: number;
  #intervalEnd = Number.NEGATIVE_INFINITY;
  #minDelay = Number.POSITIVE_INFINITY;
  #overloaded = false;

  constructor(options: CoDelOptions = {}) {
    this.targetMs = options.targetMs ?? 5;
    this.intervalMs = options.intervalMs ?? 100;
    requireOption(this.targetMs > 0, "CoDel", "targetMs", this.targetMs, "> 0");
    requireOption(
      this.intervalMs > this.targetMs,
      "CoDel",
      "intervalMs",
      this.intervalMs,
      `> targetMs (${this.targetMs})`,
    );
  }

  /** True while the last interval's minimum delay was above target. */
  get overloaded(): boolean {
    return this.#overloaded;
  }

  /** How long a request may wait in the current state. */
  get timeoutMs(): number {
    return this.#overloaded ? 2 * this.targetMs : this.intervalMs;
  }

  /** Records a dequeued request's wait and says whether to drop it instead of serving it. */
  shouldDrop(now: number, delayMs: number): boolean {
    if (now >= this.#intervalEnd) {
      this.#overloaded = this.#minDelay !== Number.POSITIVE_INFINITY && this.#minDelay > this.targetMs;
      this.#minDelay = Number.POSITIVE_INFINITY;
      this.#intervalEnd = now + this.intervalMs;
    }
    if (delayMs < this.#minDelay) this.#minDelay = delayMs;
    return delayMs > this.timeoutMs;
  }

  /** The queue emptied: the standing queue is gone. */
  onEmpty(now: number): void {
    this.#minDelay = 0;
    if (now >= this.#intervalEnd) {
      this.#overloaded = false;
      this.#intervalEnd = now + this.intervalMs;
    }
  }
}
