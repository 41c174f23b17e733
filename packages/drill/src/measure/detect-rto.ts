import { requireOption } from "@nines/core";

/** A point of a success-ratio timeline: a bucket starting at `at`. */
export interface RatioPoint {
  at: number;
  /** Null when nothing was offered in the bucket (counts as not recovered). */
  successRatio: number | null;
}

/** Options of {@link detectRto}. */
export interface DetectRtoOptions {
  /** The series, in time order, equal buckets (as `perSecond` gives). */
  series: readonly RatioPoint[];
  /** When the fault was injected, epoch ms. */
  faultAt: number;
  /** The success ratio that counts as recovered (the journey's objective, e.g. 0.999). */
  objective: number;
  /** How long the ratio must stay at or above the objective; default 5000 ms. */
  holdMs?: number;
  /** Bucket length; default the spacing of the series, else 1000 ms. */
  bucketMs?: number;
}

/**
 * RTO measured from the client side: the time from the fault until the
 * success ratio is back at or above the objective AND stays there for
 * `holdMs`. Counted from the start of the first bucket that qualifies (so
 * the resolution is a bucket); 0 when the ratio never fell; null when it
 * never recovered within the series (or the series ends before a full hold).
 *
 * @example
 * detectRto({ series: perSecond(log), faultAt, objective: 0.99, holdMs: 5000 }); // 7000
 */
export function detectRto(options: DetectRtoOptions): number | null {
  const { series, faultAt, objective } = options;
  const holdMs = options.holdMs ?? 5000;
  requireOption(objective > 0 && objective <= 1, "detectRto", "objective", objective, "in (0, 1]");
  requireOption(holdMs >= 0, "detectRto", "holdMs", holdMs, ">= 0");
  const spacing = series.length > 1 ? (series[1] as RatioPoint).at - (series[0] as RatioPoint).at : 1000;
  const bucketMs = options.bucketMs ?? spacing;
  const holdBuckets = Math.max(1, Math.ceil(holdMs / bucketMs));
  let run = 0;
  for (let i = 0; i < series.length; i++) {
    const point = series[i] as RatioPoint;
    if (point.at + bucketMs <= faultAt) continue;
    const ok = point.successRatio !== null && point.successRatio >= objective;
    run = ok ? run + 1 : 0;
    if (run === holdBuckets) {
      const recoveredAt = (series[i - holdBuckets + 1] as RatioPoint).at;
      return Math.max(0, recoveredAt - faultAt);
    }
  }
  return null;
}
