import { requireOption } from "@nines/core";

/** A write as the client saw it. */
export interface WriteOutcome {
  startAt: number;
  endAt: number;
  ok: boolean;
}

/**
 * Failover time seen by writers: from the fault until writes work again,
 * that is the end of the first write of a run of `successThreshold`
 * successful writes (in the order they were sent) that started at or after
 * the fault. Writes that failed before that run are the outage; a write
 * held until the new primary took it counts by when it finished. Null when
 * writes never came back.
 *
 * @example
 * failoverTime({ faultAt: 10_000, writes }); // 2350
 */
export function failoverTime(options: {
  faultAt: number;
  writes: readonly WriteOutcome[];
  successThreshold?: number;
}): number | null {
  const successThreshold = options.successThreshold ?? 3;
  requireOption(successThreshold >= 1, "failoverTime", "successThreshold", successThreshold, ">= 1");
  const after = options.writes.filter((w) => w.startAt >= options.faultAt).sort((a, b) => a.startAt - b.startAt);
  let run = 0;
  for (let i = 0; i < after.length; i++) {
    const w = after[i] as WriteOutcome;
    run = w.ok ? run + 1 : 0;
    if (run === successThreshold) {
      const first = after[i - successThreshold + 1] as WriteOutcome;
      return Math.max(0, first.endAt - options.faultAt);
    }
  }
  return null;
}
