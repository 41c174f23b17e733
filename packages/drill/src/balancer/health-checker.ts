import type { Clock } from "@nines/core";
import { probeHttp } from "../process/http-probe.js";

/** Options of the balancer's active health checks. */
export interface HealthCheckOptions {
  /** The path checked on each backend; default `/readyz`. */
  path?: string;
  /** Default 1000 ms. */
  intervalMs?: number;
  /** Default 500 ms: a partitioned backend fails by timeout. */
  timeoutMs?: number;
  /** Failed checks in a row that mark a backend unhealthy; default 2. */
  failureThreshold?: number;
  /** Passed checks in a row that mark it healthy again; default 1. */
  successThreshold?: number;
}

/**
 * Checks one backend every `intervalMs` until stopped and reports changes
 * of its health. A check passes on 200 within `timeoutMs`.
 */
export async function runHealthChecks(
  url: string,
  options: HealthCheckOptions,
  clock: Clock,
  signal: AbortSignal,
  onChange: (healthy: boolean) => void,
): Promise<void> {
  const target = `${url}${options.path ?? "/readyz"}`;
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 500;
  const failureThreshold = options.failureThreshold ?? 2;
  const successThreshold = options.successThreshold ?? 1;
  let healthy = true;
  let failures = 0;
  let successes = 0;
  while (!signal.aborted) {
    const ok = (await probeHttp(target, timeoutMs)) === 200;
    if (signal.aborted) return;
    failures = ok ? 0 : failures + 1;
    successes = ok ? successes + 1 : 0;
    if (healthy && failures >= failureThreshold) {
      healthy = false;
      onChange(false);
    } else if (!healthy && successes >= successThreshold) {
      healthy = true;
      onChange(true);
    }
    try {
      await clock.sleep(intervalMs, signal);
    } catch {
      return;
    }
  }
}
