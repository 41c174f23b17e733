import { requireKnownOptions, requireOption } from "@nines/core";
import { percentile } from "./percentile.js";
import type { RequestRecord } from "./request-log.js";

/** One bucket (a second by default) of a drill's timeline, by the time requests were sent. */
export interface SecondStats {
  /** Start of the bucket, epoch ms. */
  at: number;
  /** Requests sent in the bucket. */
  offered: number;
  /** Of those, the ones that got an HTTP answer (any status). */
  answered: number;
  /** Of those, the ones that succeeded (see `isSuccess`). */
  succeeded: number;
  /** succeeded / offered; null when nothing was offered. */
  successRatio: number | null;
  /** Latency percentiles of the successful requests, ms; null when none succeeded. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Options of {@link perSecond}. */
export interface PerSecondOptions {
  /** First bucket's start; default the first request's start, rounded down to the bucket. */
  fromAt?: number;
  /** End (exclusive); default just after the last request's start. */
  toAt?: number;
  /** Bucket length; default 1000 ms. */
  bucketMs?: number;
  /** What counts as a success; default {@link isSuccessfulRequest}. */
  isSuccess?: (record: RequestRecord) => boolean;
  /** Keep only these requests (a journey, a step). */
  filter?: (record: RequestRecord) => boolean;
}

/**
 * Success: an HTTP answer below 500 other than 429 (a 404 for a missing
 * trip is a correct answer; a shed 503 or a 429 is not served).
 *
 * @example
 * isSuccessfulRequest({ journey: "j", step: "s", startAt: 0, endAt: 5, status: 404, error: null }); // true
 */
export function isSuccessfulRequest(record: RequestRecord): boolean {
  return record.error === null && record.status > 0 && record.status < 500 && record.status !== 429;
}

/**
 * The per-second series of a drill: offered, answered and successful
 * requests, the success ratio and p50/p95/p99 latency of successes, by the
 * second each request was sent (so a request that hung for 5 s counts
 * against the second it was offered in). Empty buckets are included.
 *
 * @example
 * const series = perSecond(log, { fromAt: startedAt });
 * series.map((s) => s.successRatio); // [1, 1, 0.42, 0.97, 1, ...]
 */
export function perSecond(records: Iterable<RequestRecord>, options: PerSecondOptions = {}): SecondStats[] {
  requireKnownOptions("perSecond", options, ["fromAt", "toAt", "bucketMs", "isSuccess", "filter"]);
  const bucketMs = options.bucketMs ?? 1000;
  requireOption(bucketMs > 0, "perSecond", "bucketMs", bucketMs, "> 0");
  const isSuccess = options.isSuccess ?? isSuccessfulRequest;
  const kept: RequestRecord[] = [];
  for (const r of records) if (!options.filter || options.filter(r)) kept.push(r);
  if (kept.length === 0 && (options.fromAt === undefined || options.toAt === undefined)) return [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of kept) {
    first = Math.min(first, r.startAt);
    last = Math.max(last, r.startAt);
  }
  const fromAt = options.fromAt ?? Math.floor(first / bucketMs) * bucketMs;
  const toAt = options.toAt ?? last + 1;
  const count = Math.max(0, Math.ceil((toAt - fromAt) / bucketMs));
  const buckets = Array.from({ length: count }, () => ({ offered: 0, answered: 0, latencies: [] as number[] }));
  for (const r of kept) {
    if (r.startAt < fromAt || r.startAt >= toAt) continue;
    const b = buckets[Math.floor((r.startAt - fromAt) / bucketMs)];
    if (!b) continue;
    b.offered++;
    if (r.status > 0) b.answered++;
    if (isSuccess(r)) b.latencies.push(r.endAt - r.startAt);
  }
  return buckets.map((b, i) => {
    const sorted = Float64Array.from(b.latencies).sort();
    return {
      at: fromAt + i * bucketMs,
      offered: b.offered,
      answered: b.answered,
      succeeded: b.latencies.length,
      successRatio: b.offered === 0 ? null : b.latencies.length / b.offered,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
    };
  });
}
