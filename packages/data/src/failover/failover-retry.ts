import type { Clock, Random } from "@nines/core";
import { type Retry, retry } from "@nines/resilience";
import { isRetryableFailover } from "./failover-client.js";

/**
 * Options of {@link failoverRetry}.
 *
 * @example
 * failoverRetry({ maxElapsedMs: 10_000, idempotent: true });
 */
export interface FailoverRetryOptions {
  /** How long a statement may wait for a primary, retries included (default 30 s: longer than a failover). */
  maxElapsedMs?: number;
  /**
   * True when the statements are idempotent (an upsert, an insert with a
   * client-chosen key and `on conflict do nothing`): then a statement whose
   * connection dropped after it was sent is retried too. Default false.
   */
  idempotent?: boolean;
  clock?: Clock;
  random?: Random;
}

/**
 * The retry a {@link FailoverClient} needs while a failover happens:
 * truncated exponential backoff with full jitter (50 ms doubling to 1 s),
 * bounded by `maxElapsedMs`, retrying only "no primary" (the statement never
 * ran, so it is safe for any statement) and, for idempotent statements,
 * "ambiguous commit".
 *
 * @example
 * const db = new FailoverClient({ hosts, policy: failoverRetry({ idempotent: true }) });
 */
export function failoverRetry(options: FailoverRetryOptions = {}): Retry {
  const idempotent = options.idempotent ?? false;
  return retry({
    maxAttempts: Number.POSITIVE_INFINITY,
    maxElapsedMs: options.maxElapsedMs ?? 30_000,
    backoff: { initialDelayMs: 50, multiplier: 2, maxDelayMs: 1000, jitter: "full" },
    isFailure: (error) => isRetryableFailover(error, idempotent),
    // Retrying is safe here by construction: the predicate above only lets through statements that never ran, or idempotent ones.
    idempotent: true,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}
