import type { DrainSpec } from "../model.js";

/** Time left for the process to exit once its cleanup is done, before Kubernetes kills it. */
export const EXIT_MARGIN_SECONDS = 5;

/**
 * What a pod's termination needs from Kubernetes, derived from the
 * service's drain timeline. Kubernetes takes a terminating pod out of its
 * Service's endpoints while it runs the `preStop` hook; the hook sleeps the
 * drain's `delay`, so that load balancers stop sending before the process
 * hears of it (a process that exits at SIGTERM then drops nothing). SIGTERM
 * follows, and `@nines/guard` drains: readiness fails, `delay`, `grace`
 * for in-flight requests, `cleanup`. The grace period covers both and a
 * margin to exit: preStop + delay + grace + cleanup + 5 s, in whole
 * seconds, always above delay + grace + cleanup.
 *
 * @example
 * drainTimeline({ delayMs: 5000, graceMs: 20_000, cleanupTimeoutMs: 5000 });
 * // { preStopSeconds: 5, terminationGracePeriodSeconds: 40 }
 */
export function drainTimeline(drain: DrainSpec): { preStopSeconds: number; terminationGracePeriodSeconds: number } {
  const preStopSeconds = Math.ceil(drain.delayMs / 1000);
  const drainSeconds = Math.ceil((drain.delayMs + drain.graceMs + drain.cleanupTimeoutMs) / 1000);
  return { preStopSeconds, terminationGracePeriodSeconds: preStopSeconds + drainSeconds + EXIT_MARGIN_SECONDS };
}
