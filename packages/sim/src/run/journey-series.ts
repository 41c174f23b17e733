import { LatencyHistogram } from "./latency-histogram.js";
import { percentiles } from "./percentile.js";

const P50_P99 = [50, 99];

/** One journey's series, one point per step of the run (`series.stepMs`). */
export interface JourneySeries {
  /** User requests that arrived in the step. */
  offered: number[];
  /** Requests that ended with a response in the step. */
  goodput: number[];
  /** Requests that ended with an error in the step. */
  errors: number[];
  /** Median latency of the successes that ended in the step, in ms (null: none ended). */
  p50Ms: (number | null)[];
  /** 99th percentile latency of those successes, in ms. */
  p99Ms: (number | null)[];
}

/**
 * Counts one journey's requests per step of simulated time, keeping only
 * the current step's latencies and a fixed-size histogram of the whole
 * run's (memory stays flat over a long run).
 *
 * @example
 * const series = new JourneyRecorder();
 * series.offer(); series.succeed(12.5);
 * series.closeStep(); // appends one point to each series
 */
export class JourneyRecorder {
  readonly series: JourneySeries = { offered: [], goodput: [], errors: [], p50Ms: [], p99Ms: [] };
  /** Latencies of every success of the run. */
  readonly latencies = new LatencyHistogram();
  /** Totals over the run. */
  requests = 0;
  succeeded = 0;
  failed = 0;
  #offered = 0;
  #goodput = 0;
  #errors = 0;
  #latencies = new Float64Array(1024);
  #count = 0;

  offer(): void {
    this.#offered++;
    this.requests++;
  }

  succeed(latencyMs: number): void {
    this.#goodput++;
    this.succeeded++;
    this.latencies.add(latencyMs);
    if (this.#count === this.#latencies.length) {
      const larger = new Float64Array(this.#latencies.length * 2);
      larger.set(this.#latencies);
      this.#latencies = larger;
    }
    this.#latencies[this.#count++] = latencyMs;
  }

  fail(): void {
    this.#errors++;
    this.failed++;
  }

  /** Ends the current step: appends its point to every series and starts the next. */
  closeStep(): void {
    const s = this.series;
    s.offered.push(this.#offered);
    s.goodput.push(this.#goodput);
    s.errors.push(this.#errors);
    const [p50, p99] = percentiles(this.#latencies, this.#count, P50_P99);
    s.p50Ms.push(roundMs(p50 ?? null));
    s.p99Ms.push(roundMs(p99 ?? null));
    this.#offered = this.#goodput = this.#errors = this.#count = 0;
  }
}

/** Microsecond precision: enough for latencies, and short, stable JSON. */
export function roundMs(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
