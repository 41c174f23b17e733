// Overhead of resilience policies on the success path, in one process:
// 1,000,000 sequential calls of a no-op async function through a bare await,
// nines, cockatiel@3 and opossum@9, after a warm-up of each subject.
//
//   npm run bench:resilience                 human table with ratios
//   npm run bench:resilience -- --json       one JSON object per line
//   npm run bench:resilience -- --calls 200000 --warmup 20000
//
// Benchmark glue may read the real clock (process.hrtime); the policies use
// the system clock they default to.
import { parseArgs } from "node:util";
import {
  bulkhead as cockatielBulkhead,
  circuitBreaker as cockatielBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  retry as cockatielRetry,
  TimeoutStrategy,
  timeout as cockatielTimeout,
  wrap as cockatielWrap,
} from "cockatiel";
import OpossumBreaker from "opossum";
import { bulkhead, type PipelineStage, retry, timeout, wrap } from "../src/index.js";

type Subject = "bare" | "nines" | "cockatiel" | "opossum";
type Scenario = "await" | "retry+breaker" | "pipeline";
interface Result {
  subject: Subject;
  scenario: Scenario;
  nsPerCall: number;
}

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    calls: { type: "string", default: "1000000" },
    warmup: { type: "string", default: "100000" },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);

const noop = async (): Promise<void> => {};

/** The nines circuit breaker (R2's), plugged in when it exists; the retry+breaker rows are skipped otherwise. */
async function ninesBreaker(): Promise<PipelineStage | undefined> {
  try {
    const module = (await import("../src/circuit-breaker.js")) as Record<string, unknown>;
    const make = module.circuitBreaker as ((options: unknown) => PipelineStage) | undefined;
    if (typeof make !== "function") return undefined;
    return make({ window: { kind: "consecutive", threshold: 5 }, openMs: 10_000 });
  } catch {
    return undefined;
  }
}

async function measure(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < warmup; i++) await call();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  return Number(process.hrtime.bigint() - started) / calls;
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const record = (subject: Subject, scenario: Scenario, nsPerCall: number) => {
    const result = { subject, scenario, nsPerCall: Math.round(nsPerCall * 10) / 10 };
    results.push(result);
    if (values.json) console.log(JSON.stringify(result));
    else console.error(`  ${subject.padEnd(10)} ${scenario.padEnd(14)} ${result.nsPerCall.toFixed(1).padStart(9)} ns/call`);
  };

  record("bare", "await", await measure(noop));

  const breaker = await ninesBreaker();
  if (breaker === undefined) {
    console.error("  nines: no circuit breaker in src/circuit-breaker.ts yet; the nines rows are skipped");
  } else {
    const ninesRetryBreaker = wrap(retry({ maxAttempts: 3, idempotent: true }), breaker);
    record("nines", "retry+breaker", await measure(() => ninesRetryBreaker.execute(noop)));
    const pipelineBreaker = (await ninesBreaker()) as PipelineStage;
    const ninesPipeline = wrap(
      retry({ maxAttempts: 3, idempotent: true }),
      pipelineBreaker,
      bulkhead({ maxConcurrent: 10, maxQueue: 100 }),
      timeout({ ms: 1000, mode: "aggressive" }),
    );
    record("nines", "pipeline", await measure(() => ninesPipeline.execute(noop)));
  }

  // cockatiel's maxAttempts counts retries only: 2 here is 3 attempts in all, as nines' 3.
  const cockatielRetryBreaker = cockatielWrap(
    cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
  );
  record("cockatiel", "retry+breaker", await measure(() => cockatielRetryBreaker.execute(noop)));
  const cockatielPipeline = cockatielWrap(
    cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    cockatielBulkhead(10, 100),
    cockatielTimeout(1000, TimeoutStrategy.Aggressive),
  );
  record("cockatiel", "pipeline", await measure(() => cockatielPipeline.execute(noop)));

  const opossum = new OpossumBreaker(noop);
  record("opossum", "retry+breaker", await measure(() => opossum.fire()));
  opossum.shutdown();

  if (!values.json) printRatios(results);
}

function printRatios(results: Result[]): void {
  const ns = (subject: Subject, scenario: Scenario) =>
    results.find((r) => r.subject === subject && r.scenario === scenario)?.nsPerCall;
  const bare = ns("bare", "await") ?? 0;
  const lines: string[] = [];
  for (const scenario of ["retry+breaker", "pipeline"] as const) {
    const nines = ns("nines", scenario);
    const cockatiel = ns("cockatiel", scenario);
    if (nines === undefined || cockatiel === undefined) continue;
    const ratio = (nines - bare) / (cockatiel - bare);
    lines.push(
      `  ${scenario}: nines overhead ${(nines - bare).toFixed(0)} ns vs cockatiel ${(cockatiel - bare).toFixed(0)} ns above bare await = ${ratio.toFixed(3)} (goal for retry+breaker <= 0.25)`,
    );
  }
  const pipeline = ns("nines", "pipeline");
  if (pipeline !== undefined) lines.push(`  nines pipeline with timeout: ${pipeline.toFixed(0)} ns/call (goal < 1000)`);
  const opossum = ns("opossum", "retry+breaker");
  const ninesRb = ns("nines", "retry+breaker");
  if (opossum !== undefined && ninesRb !== undefined) {
    lines.push(`  opossum fire (defaults) / nines retry+breaker = ${(opossum / ninesRb).toFixed(1)}x`);
  }
  console.error(`\n${lines.join("\n")}`);
}

await main();
