import { setImmediate as nextTurn } from "node:timers/promises";

interface Series {
  readonly labels: string;
  readonly labelValues: Record<string, string>;
  count: number;
  sum: number;
  /** Observations per bucket, not cumulative (the last slot is +Inf). */
  readonly perBucket: Float64Array;
}

/** Lines rendered between two turns of the event loop while scraping. */
const LINES_PER_TURN = 1000;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/**
 * The request counter and latency histogram, kept outside prom-client's
 * own metric classes for two reasons: the hot path is one map lookup and a
 * few additions, and the scrape renders them a couple of thousand lines at
 * a time, yielding to the event loop in between (prom-client renders a
 * histogram in one synchronous pass: about 300 ms at the cardinality cap
 * on a busy 2-core machine). Both are still registered in the guard's
 * prom-client `Registry` (`metricObjects()`), so `registry.metrics()` and
 * `Registry.merge` see them.
 *
 * @example
 * const series = new RequestSeries("nines_http_requests_total", "nines_http_request_duration_seconds", [0.01, 0.1, 1]);
 * series.record("/users/:id", "GET", "success", 0.012);
 * const text = await series.render();
 */
export class RequestSeries {
  readonly counterName: string;
  readonly histogramName: string;
  readonly buckets: readonly number[];
  readonly #series: Series[] = [];
  readonly #index = new Map<string, Map<string, Map<string, Series>>>();
  readonly #bucketLabels: string[];

  constructor(counterName: string, histogramName: string, buckets: readonly number[]) {
    this.counterName = counterName;
    this.histogramName = histogramName;
    this.buckets = buckets;
    this.#bucketLabels = [...buckets.map((b) => formatValue(b)), "+Inf"];
  }

  /** Adds one request (labels already normalised and capped by the caller). */
  record(route: string, method: string, outcome: string, seconds: number): void {
    // Nested maps: no key string is built per request.
    let byMethod = this.#index.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#index.set(route, byMethod);
    }
    let byOutcome = byMethod.get(method);
    if (byOutcome === undefined) {
      byOutcome = new Map();
      byMethod.set(method, byOutcome);
    }
    let series = byOutcome.get(outcome);
    if (series === undefined) {
      series = {
        labels: `route="${escapeLabel(route)}",method="${escapeLabel(method)}",outcome="${outcome}"`,
        labelValues: { route, method, outcome },
        count: 0,
        sum: 0,
        perBucket: new Float64Array(this.buckets.length + 1),
      };
      byOutcome.set(outcome, series);
      this.#series.push(series);
    }
    series.count++;
    series.sum += seconds;
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && seconds > (buckets[i] as number)) i++;
    (series.perBucket[i] as number)++;
  }

  /** Distinct series (label sets). */
  get size(): number {
    return this.#series.length;
  }

  reset(): void {
    this.#series.length = 0;
    this.#index.clear();
  }

  /** The counter's text (HELP, TYPE, one line per series). */
  async renderCounter(help: string): Promise<string> {
    const out = [`# HELP ${this.counterName} ${help}`, `# TYPE ${this.counterName} counter`];
    let lines = 0;
    for (const series of this.#series) {
      out.push(`${this.counterName}{${series.labels}} ${series.count}`);
      if (++lines % LINES_PER_TURN === 0) await nextTurn();
    }
    return out.join("\n");
  }

  /** The histogram's text (cumulative buckets, sum, count per series). */
  async renderHistogram(help: string): Promise<string> {
    const name = this.histogramName;
    const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    let lines = 0;
    for (const series of this.#series) {
      let cumulative = 0;
      for (let i = 0; i < this.#bucketLabels.length; i++) {
        cumulative += series.perBucket[i] as number;
        out.push(`${name}_bucket{le="${this.#bucketLabels[i]}",${series.labels}} ${cumulative}`);
      }
      out.push(`${name}_sum{${series.labels}} ${formatValue(series.sum)}`);
      out.push(`${name}_count{${series.labels}} ${series.count}`);
      lines += this.#bucketLabels.length + 2;
      if (lines >= LINES_PER_TURN) {
        lines = 0;
        await nextTurn();
      }
    }
    return out.join("\n");
  }

  /** prom-client metric objects over the same data, to register in a `Registry`. */
  metricObjects(counterHelp: string, histogramHelp: string): PromClientMetric[] {
    const counter: PromClientMetric = {
      name: this.counterName,
      help: counterHelp,
      type: "counter" as const,
      aggregator: "sum",
      get: async () => ({
        name: this.counterName,
        help: counterHelp,
        type: "counter",
        aggregator: "sum",
        values: this.#series.map((s) => ({ value: s.count, labels: s.labelValues })),
      }),
      reset: () => this.reset(),
      __guardRender: () => this.renderCounter(counterHelp),
    };
    const histogram: PromClientMetric = {
      name: this.histogramName,
      help: histogramHelp,
      type: "histogram" as const,
      aggregator: "sum",
      get: async () => {
        const values: PromValue[] = [];
        for (const s of this.#series) {
          let cumulative = 0;
          for (let i = 0; i < this.#bucketLabels.length; i++) {
            cumulative += s.perBucket[i] as number;
            const le = i < this.buckets.length ? (this.buckets[i] as number) : "+Inf";
            values.push({
              metricName: `${this.histogramName}_bucket`,
              value: cumulative,
              labels: { le, ...s.labelValues },
            });
          }
          values.push({ metricName: `${this.histogramName}_sum`, value: s.sum, labels: s.labelValues });
          values.push({ metricName: `${this.histogramName}_count`, value: s.count, labels: s.labelValues });
        }
        return { name: this.histogramName, help: histogramHelp, type: "histogram", aggregator: "sum", values };
      },
      reset: () => this.reset(),
      __guardRender: () => this.renderHistogram(histogramHelp),
    };
    return [counter, histogram];
  }
}

/** The shape prom-client's `Registry` needs from a metric, plus the guard's chunked renderer. */
export interface PromClientMetric {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  get(): Promise<{ name: string; help: string; type: string; aggregator: "sum"; values: PromValue[] }>;
  reset(): void;
  __guardRender(): Promise<string>;
}

/** One sample as prom-client represents it. */
export interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}
