import { requireKnownOptions, requireOption, SeededRandom } from "@nines/core";
import { SimClock } from "../engine/sim-clock.js";
import { exponential } from "../random/distributions.js";
import { Server } from "./server.js";

/** Options of {@link runMmc}. */
export interface RunMmcOptions {
  /** Servers (c). */
  servers: number;
  /** Offered load per server, in (0, 1): arrival rate = utilization x servers / mean service. */
  utilization: number;
  /** Customers that arrive in all (the run ends when the last one is served). */
  customers: number;
  /** Mean service time in ms (default 1). */
  meanServiceMs?: number;
  /** Seed of the run's `SeededRandom` (default 1). */
  seed?: number;
}

/** What {@link runMmc} measured. */
export interface RunMmcResult {
  customers: number;
  /** Mean time in the queue before service, in ms. */
  meanWaitMs: number;
  /** Busy fraction of the servers over the run. */
  utilization: number;
  /** Events the clock fired. */
  events: number;
  /** Virtual time the run took, in ms. */
  simulatedMs: number;
}

const KNOWN_OPTIONS = ["servers", "utilization", "customers", "meanServiceMs", "seed"];
const ignore = (): void => {};

/**
 * Runs an M/M/c queue on the simulator's engine: Poisson arrivals,
 * exponential service, `servers` servers and one FIFO queue, until
 * `customers` have been served. The engine's check against Erlang C, and
 * the model of `npm run bench:simulate`'s `mmc` scenario.
 *
 * @example
 * const result = await runMmc({ servers: 10, utilization: 0.8, customers: 200_000 });
 * result.meanWaitMs; // about 0.2046 (Erlang C)
 */
export async function runMmc(options: RunMmcOptions): Promise<RunMmcResult> {
  requireKnownOptions("runMmc", options, KNOWN_OPTIONS);
  const { servers, utilization, customers } = options;
  const meanServiceMs = options.meanServiceMs ?? 1;
  requireOption(utilization > 0 && utilization < 1, "runMmc", "utilization", utilization, "in (0, 1)");
  requireOption(Number.isInteger(customers) && customers >= 1, "runMmc", "customers", customers, "an integer >= 1");
  const clock = new SimClock();
  const random = new SeededRandom(options.seed ?? 1);
  // Nothing here settles a promise: every event takes the engine's fast path.
  const server = new Server({ clock, random, workers: servers, service: exponential(meanServiceMs), syncDone: true });
  const gap = exponential(meanServiceMs / (utilization * servers));
  let arrived = 0;
  const arrive = (): void => {
    server.submit(ignore);
    if (++arrived < customers) clock.scheduleSync(gap.sample(random), arrive);
  };
  clock.scheduleSync(gap.sample(random), arrive);
  await clock.runAll(Number.POSITIVE_INFINITY);
  const stats = server.stats();
  return {
    customers: stats.served,
    meanWaitMs: stats.meanWaitMs,
    utilization: stats.utilization,
    events: clock.fired,
    simulatedMs: clock.now(),
  };
}
