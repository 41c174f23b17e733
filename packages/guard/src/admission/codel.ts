import { requireKnownOptions, requireOption } from "@nines/core";

/** Options of the admission queue's CoDel (`codel` in `AdmissionOptions`). */
export interface CoDelOptions {
  /** How long a request may wait while the queue is overloaded, in ms. Default 20. */
  targetMs?: number;
  /** How long the queue must stay non-empty to count as overloaded, and how long a request may wait otherwise, in ms. Default 100. */
  intervalMs?: number;
}

/**
 * CoDel as Facebook applies it to server request queues ("Fail at Scale",
 * 2015): if the queue has not been empty for the last `intervalMs`, it is
 * overloaded and a request may wait only `targetMs`; otherwise it may wait
 * `intervalMs`. A burst is absorbed; a standing queue is cut short, so
 * latency stays bounded and the server spends its time on requests that can
 * still make their deadline. (Standing-queue detection uses the time since
 * the queue was last empty rather than the minimum sojourn time, because
 * with newest-first service the newest request's short wait hides the
 * standing queue behind it.)
 *
 * @example
 * const codel = new CoDel({ targetMs: 20, intervalMs: 100 });
 * codel.onEmpty(now);                 // the queue drained
 * codel.timeoutMs(now + 150);         // 20: non-empty for 150 ms > 100 ms
 */
export class CoDel {
  readonly targetMs: number;
  readonly intervalMs: number;
  #lastEmpty: number | undefined;

  constructor(options: CoDelOptions = {}) {
    requireKnownOptions("codel", options, ["targetMs", "intervalMs"]);
    // 20 ms rather than the 5 ms of network CoDel: a few service times of a typical handler, so a server
    // at full load is not made to shed (measured in docs/benchmarks.md), and still far below client deadlines.
    this.targetMs = options.targetMs ?? 20;
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

  /** True when the queue has not been empty for more than `intervalMs`. */
  overloaded(now: number): boolean {
    this.#lastEmpty ??= now;
    return now - this.#lastEmpty > this.intervalMs;
  }

  /** How long a request may wait now. */
  timeoutMs(now: number): number {
    return this.overloaded(now) ? this.targetMs : this.intervalMs;
  }

  /** Whether a request that has waited `delayMs` should be dropped instead of served. */
  shouldDrop(now: number, delayMs: number): boolean {
    return delayMs > this.timeoutMs(now);
  }

  /** The queue is empty now. */
  onEmpty(now: number): void {
    this.#lastEmpty = now;
  }
}
