import { isSuccessfulRequest } from "./per-second.js";
import { percentile } from "./percentile.js";
import type { RequestRecord } from "./request-log.js";

/** A drill's totals over a time window. */
export interface RequestSummary {
  offered: number;
  answered: number;
  succeeded: number;
  /** succeeded / offered; null when nothing was offered. */
  successRatio: number | null;
  /** Latency percentiles of the successful requests, ms. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Requests without an answer, by kind. */
  errors: { timeout: number; connect: number; reset: number; other: number };
  /** Answers by status code. */
  statuses: Record<number, number>;
}

/**
 * Totals of the requests sent in [fromAt, toAt) (all by default).
 *
 * @example
 * const s = summarize(log, { fromAt: faultAt, toAt: faultAt + 30_000 });
 * s.successRatio; // 0.9991
 */
export function summarize(
  records: Iterable<RequestRecord>,
  options: {
    fromAt?: number;
    toAt?: number;
    isSuccess?: (r: RequestRecord) => boolean;
    filter?: (r: RequestRecord) => boolean;
  } = {},
): RequestSummary {
  const isSuccess = options.isSuccess ?? isSuccessfulRequest;
  const fromAt = options.fromAt ?? Number.NEGATIVE_INFINITY;
  const toAt = options.toAt ?? Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  const errors = { timeout: 0, connect: 0, reset: 0, other: 0 };
  const statuses: Record<number, number> = {};
  let offered = 0;
  let answered = 0;
  for (const r of records) {
    if (r.startAt < fromAt || r.startAt >= toAt || (options.filter && !options.filter(r))) continue;
    offered++;
    if (r.status > 0) {
      answered++;
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
    if (r.error) errors[r.error]++;
    if (isSuccess(r)) latencies.push(r.endAt - r.startAt);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    offered,
    answered,
    succeeded: latencies.length,
    successRatio: offered === 0 ? null : latencies.length / offered,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    errors,
    statuses,
  };
}
