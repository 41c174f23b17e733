// A request's business logic for the benchmarks: a fixed amount of CPU
// work, calibrated once at start so that one call takes about `ms`.

let sink = 0;

function spin(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345 + i) % 2147483648;
  return x;
}

/** Returns a function that burns about `ms` of CPU per call. */
export function calibrateWork(ms: number): () => void {
  let iterations = 10_000;
  for (;;) {
    const started = performance.now();
    sink += spin(iterations);
    const took = performance.now() - started;
    if (took > 50) {
      iterations = Math.round((iterations * ms) / took);
      break;
    }
    iterations *= 4;
  }
  return () => {
    sink += spin(iterations);
  };
}

export function sinkValue(): number {
  return sink;
}
