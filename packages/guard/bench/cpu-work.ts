// A request's business logic for the benchmarks: a fixed number of loop
// iterations, calibrated once by the orchestrator so that one call takes
// about `ms` of CPU, and passed to every server so all subjects do the same work.

let sink = 0;

function spin(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345 + i) % 2147483648;
  return x;
}

/**
 * The iterations that take about `ms`. The fastest of several trials is
 * used: a trial can only be slowed down (by preemption), never sped up.
 */
export function calibrateIterations(ms: number): number {
  const trial = 200_000;
  sink += spin(trial); // warm up the JIT
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    sink += spin(trial);
    fastest = Math.min(fastest, performance.now() - started);
  }
  return Math.round((trial * ms) / fastest);
}

/** The work of one request: `iterations` loop turns. */
export function work(iterations: number): void {
  sink += spin(iterations);
}

/** Reads the accumulated result, so the work cannot be optimised away. */
export function workResult(): number {
  return sink;
}
