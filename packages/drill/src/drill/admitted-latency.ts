import { parsePrometheusText } from "../metrics/prometheus-text.js";
import type { DrillSystem } from "./drill-system.js";

/** The latency histogram of one instance's admitted requests: cumulative counts by upper bound (seconds). */
export interface AdmittedHistogram {
  /** `<instance>@<pid>`: a restarted instance starts a new histogram. */
  key: string;
  buckets: Map<number, number>;
}

const HISTOGRAM = "nines_http_request_duration_seconds_bucket";
/** Outcomes of requests the guard admitted and the handler answered. */
const ADMITTED = new Set(["success", "client_error"]);
/** Probes and scrapes are not the service's work. */
const PROBES = new Set(["/livez", "/readyz", "/startupz", "/metrics"]);

/**
 * Reads the guard's latency histogram (`nines_http_request_duration_seconds`)
 * of every ready instance of `service`, keeping the requests it admitted
 * and answered (outcomes `success` and `client_error`, probes left out):
 * the server's side of "p99 of admitted requests", which a client cannot
 * see apart from the shed ones and its own retries.
 *
 * @example
 * const before = await readAdmitted(system, "inventory");
 * // ... the fault ...
 * admittedP99Ms(before, await readAdmitted(system, "inventory")); // 212
 */
export async function readAdmitted(system: DrillSystem, service: string): Promise<AdmittedHistogram[]> {
  const ready = system.instances(service).filter((i) => i.state === "ready" && i.pid !== null);
  const read = async (url: string, key: string): Promise<AdmittedHistogram | null> => {
    try {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) return null;
      const buckets = new Map<number, number>();
      for (const s of parsePrometheusText(await response.text())) {
        if (s.name !== HISTOGRAM || !ADMITTED.has(s.labels["outcome"] ?? "") || PROBES.has(s.labels["route"] ?? "")) {
          continue;
        }
        const le = s.labels["le"] === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels["le"]);
        buckets.set(le, (buckets.get(le) ?? 0) + s.value);
      }
      return { key, buckets };
    } catch {
      return null;
    }
  };
  const all = await Promise.all(ready.map((i) => read(i.url, `${i.id}@${i.pid}`)));
  return all.filter((h): h is AdmittedHistogram => h !== null);
}

/**
 * The p99 (ms) of the requests admitted between two readings, from the
 * histograms' growth on the instances read both times, interpolated within
 * the bucket as Prometheus' `histogram_quantile` does; null when none was
 * admitted.
 *
 * @example
 * admittedP99Ms(before, after); // 212
 */
export function admittedP99Ms(
  before: readonly AdmittedHistogram[],
  after: readonly AdmittedHistogram[],
): number | null {
  const delta = new Map<number, number>();
  for (const h of after) {
    const earlier = before.find((b) => b.key === h.key);
    if (earlier === undefined) continue;
    for (const [le, count] of h.buckets) delta.set(le, (delta.get(le) ?? 0) + count - (earlier.buckets.get(le) ?? 0));
  }
  const bounds = [...delta.keys()].sort((a, b) => a - b);
  const total = delta.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total <= 0) return null;
  const rank = 0.99 * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const count = delta.get(le) ?? 0;
    if (count >= rank) {
      if (!Number.isFinite(le)) return Math.round(lower * 1000);
      const share = count === below ? 1 : (rank - below) / (count - below);
      return Math.round((lower + (le - lower) * share) * 1000);
    }
    lower = le;
    below = count;
  }
  return null;
}
