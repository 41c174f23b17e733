import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { type Clock, requireKnownOptions, requireOption, systemClock, type Timer } from "@nines/core";

/** Options of {@link LoadSignals} (`signals` in `adaptiveGate`). */
export interface LoadSignalsOptions {
  /** Event-loop delay (p99 over the last period) above which the process is under pressure, in ms. Default 200. */
  maxEventLoopDelayMs?: number;
  /** Heap in use above which the process is under pressure, in bytes. Default: none. */
  maxHeapUsedBytes?: number;
  /** Sampling period, in ms. Default 500. */
  intervalMs?: number;
  clock?: Clock;
  /** Where the readings come from (tests pass their own). Default: the process's event-loop delay histogram and memory. */
  read?: () => { eventLoopDelayMs: number; heapUsedBytes: number };
}

/** One reading of the extra overload signals. */
export interface LoadReading {
  eventLoopDelayMs: number;
  heapUsedBytes: number;
  pressure: boolean;
}

/**
 * Samples event-loop delay and heap use off the hot path (on a timer, not
 * per request) and says when the process is under pressure, so the
 * admission queue can shed before latency shows it.
 *
 * @example
 * const signals = new LoadSignals({ maxEventLoopDelayMs: 100 }, (r) => admission.setPressure(r.pressure));
 * signals.start();
 */
export class LoadSignals {
  readonly #maxDelay: number;
  readonly #maxHeap: number;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #read: () => { eventLoopDelayMs: number; heapUsedBytes: number };
  readonly #onReading: (reading: LoadReading) => void;
  readonly #customReader: boolean;
  #histogram: IntervalHistogram | undefined;
  #timer: Timer | undefined;
  #last: LoadReading = { eventLoopDelayMs: 0, heapUsedBytes: 0, pressure: false };

  constructor(options: LoadSignalsOptions, onReading: (reading: LoadReading) => void) {
    requireKnownOptions("signals", options, ["maxEventLoopDelayMs", "maxHeapUsedBytes", "intervalMs", "clock", "read"]);
    this.#maxDelay = options.maxEventLoopDelayMs ?? 200;
    this.#maxHeap = options.maxHeapUsedBytes ?? Number.POSITIVE_INFINITY;
    this.#intervalMs = options.intervalMs ?? 500;
    requireOption(this.#maxDelay > 0, "LoadSignals", "maxEventLoopDelayMs", this.#maxDelay, "> 0");
    requireOption(this.#maxHeap > 0, "LoadSignals", "maxHeapUsedBytes", this.#maxHeap, "> 0");
    requireOption(this.#intervalMs > 0, "LoadSignals", "intervalMs", this.#intervalMs, "> 0");
    this.#clock = options.clock ?? systemClock;
    this.#onReading = onReading;
    this.#customReader = options.read !== undefined;
    this.#read = options.read ?? (() => this.#readProcess());
  }

  /** The latest reading. */
  get last(): LoadReading {
    return this.#last;
  }

  start(): void {
    if (this.#timer) return;
    if (!this.#histogram && !this.#customReader) {
      this.#histogram = monitorEventLoopDelay({ resolution: 10 });
      this.#histogram.enable();
    }
    const tick = () => {
      this.sample();
      this.#timer = this.#clock.schedule(this.#intervalMs, tick);
    };
    this.#timer = this.#clock.schedule(this.#intervalMs, tick);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#histogram?.disable();
  }

  /** Takes one reading now and reports it. */
  sample(): LoadReading {
    const { eventLoopDelayMs, heapUsedBytes } = this.#read();
    this.#last = {
      eventLoopDelayMs,
      heapUsedBytes,
      pressure: eventLoopDelayMs > this.#maxDelay || heapUsedBytes > this.#maxHeap,
    };
    this.#onReading(this.#last);
    return this.#last;
  }

  #readProcess(): { eventLoopDelayMs: number; heapUsedBytes: number } {
    const histogram = this.#histogram;
    const delay = histogram && histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    histogram?.reset();
    return { eventLoopDelayMs: delay, heapUsedBytes: process.memoryUsage().heapUsed };
  }
}
