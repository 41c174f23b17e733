import { requireOption } from "@nines/core";

/**
 * Erlang's C formula: the probability that an arrival must wait in an
 * M/M/c queue with `servers` servers and offered load `offered` (arrival
 * rate x mean service time, in erlangs; below `servers` for a stable
 * queue). Computed through Erlang B's recurrence, which stays exact for
 * thousands of servers where the textbook sum of factorials overflows:
 * `B(0) = 1`, `B(k) = a B(k-1) / (k + a B(k-1))`,
 * `C = c B(c) / (c - a (1 - B(c)))`.
 *
 * @example
 * erlangC(1, 0.5); // 0.5 (M/M/1: the utilization)
 * erlangC(10, 8);  // 0.4092
 */
export function erlangC(servers: number, offered: number): number {
  requireOption(Number.isInteger(servers) && servers >= 1, "erlangC", "servers", servers, "an integer >= 1");
  requireOption(
    Number.isFinite(offered) && offered >= 0 && offered < servers,
    "erlangC",
    "offered",
    offered,
    `in [0, servers) (${servers}): a stable queue`,
  );
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offered * b) / (k + offered * b);
  return (servers * b) / (servers - offered * (1 - b));
}

/** The steady state of an M/M/c queue, from {@link mmc}. Times in the unit of `meanServiceMs`. */
export interface MmcFigures {
  /** Busy fraction of the servers: arrival rate x mean service / servers. */
  utilization: number;
  /** Erlang C: the probability that an arrival waits. */
  waitProbability: number;
  /** Mean time in the queue, before service starts. */
  meanWaitMs: number;
  /** Mean time in the system: wait plus service. */
  meanResponseMs: number;
  /** Mean number waiting (Little's law on the wait). */
  meanQueueLength: number;
}

/**
 * The exact steady state of an M/M/c queue (Poisson arrivals at
 * `arrivalsPerMs`, exponential service with mean `meanServiceMs`, `servers`
 * servers, FIFO): the mean wait is `C / (c mu - lambda)`.
 *
 * @example
 * mmc({ servers: 10, arrivalsPerMs: 8, meanServiceMs: 1 }).meanWaitMs; // 0.2046
 */
export function mmc(options: { servers: number; arrivalsPerMs: number; meanServiceMs: number }): MmcFigures {
  const { servers, arrivalsPerMs, meanServiceMs } = options;
  requireOption(arrivalsPerMs > 0, "mmc", "arrivalsPerMs", arrivalsPerMs, "> 0");
  requireOption(meanServiceMs > 0, "mmc", "meanServiceMs", meanServiceMs, "> 0");
  const offered = arrivalsPerMs * meanServiceMs;
  const waitProbability = erlangC(servers, offered);
  const meanWaitMs = (waitProbability * meanServiceMs) / (servers - offered);
  return {
    utilization: offered / servers,
    waitProbability,
    meanWaitMs,
    meanResponseMs: meanWaitMs + meanServiceMs,
    meanQueueLength: arrivalsPerMs * meanWaitMs,
  };
}
