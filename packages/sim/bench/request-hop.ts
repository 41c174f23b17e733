// The cost of one simulated request-hop: a Poisson stream of requests at 70%
// of one instance's capacity, each going through the real resilience
// pipeline (retry with a budget, circuit breaker, per-attempt timeout) on
// the simulator's clock and admitted by the real guard admission gate of
// the instance, then served by its worker slots. Variants take parts away,
// so the cost of each part shows: `engine` (the server alone, callbacks),
// `promise` (the server through a promise), `admission` (plus the guard),
// `pipeline` (plus the client policies: the full hop).
import { SeededRandom } from "@nines/core";
import { circuitBreaker, retry, retryBudget, timeout, wrap } from "@nines/resilience";
import { exponential, SimClock, SimInstance } from "@nines/sim";

export type HopVariant = "engine" | "promise" | "admission" | "pipeline";

export interface HopResult {
  variant: HopVariant;
  requests: number;
  succeeded: number;
  events: number;
  wallMs: number;
}

/** Runs `requests` request-hops of one variant; wall time is read by the caller's clock. */
export async function runRequestHop(
  variant: HopVariant,
  requests: number,
  seed: number,
  wallNow: () => number,
): Promise<HopResult> {
  const clock = new SimClock();
  const random = new SeededRandom(seed);
  // 8 workers x 4 ms mean service: 2,000 requests per second per instance.
  const instance = new SimInstance({
    service: "inventory",
    name: "inventory-0",
    clock,
    random,
    workers: 8,
    serviceTime: exponential(4),
    admission: variant === "admission" || variant === "pipeline" ? {} : false,
  });
  const budget = retryBudget({ ratio: 0.2, clock });
  const pipeline = wrap(
    retry({ maxAttempts: 3, budget, idempotent: true, clock, random }),
    circuitBreaker({ window: { kind: "consecutive", failureThreshold: 5 }, clock }),
    timeout({ timeoutMs: 1000, clock }),
  );
  const gap = exponential(1 / 1.4);
  let succeeded = 0;
  const ok = (): void => {
    succeeded++;
  };
  const failed = (): void => {};
  const one = (): void => {
    if (variant === "engine") instance.server.submit(ok);
    else if (variant === "pipeline")
      pipeline.execute((context) => instance.handle(context.deadlineAt)).then(ok, failed);
    else instance.handle(Number.POSITIVE_INFINITY).then(ok, failed);
  };
  let sent = 0;
  const arrive = (): void => {
    one();
    if (++sent < requests) clock.schedule(gap.sample(random), arrive);
  };
  clock.schedule(0, arrive);
  const started = wallNow();
  await clock.runAll(Number.POSITIVE_INFINITY);
  return { variant, requests, succeeded, events: clock.fired, wallMs: wallNow() - started };
}
