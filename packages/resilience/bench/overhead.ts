// Overhead of resilience policies on the success path, in one process:
// 1,000,000 sequential calls of a no-op async function through a bare await,
// nines, cockatiel@3 and opossum@9, after a warm-up of each subject. The
// calls of each subject are split into rounds run in turn with the other
// subjects, and the best round is reported: on a shared machine, a burst of
// load from elsewhere then spoils one round instead of one subject.
//
//   npm run bench:resilience                 human table with ratios
//   npm run bench:resilience -- --json       one JSON object per line
//   npm run bench:resilience -- --calls 200000 --rounds 4
//
// The policies are imported as users get them: `@nines/resilience` resolved
// to its built JavaScript (dist), not the TypeScript sources through tsx,
// whose keepNames helpers would add work to every named closure. The npm
// script builds first and runs without `--conditions=source`.
//
// Benchmark glue may read the real clock (process.hrtime); the policies use
// the system clock they default to.
import { parseArgs } from "node:util";
import { bulkhead, type CircuitBreakerOptions, circuitBreaker, retry, timeout, wrap } from "@nines/resilience";
import {
  ConsecutiveBreaker,
  circuitBreaker as cockatielBreaker,
  bulkhead as cockatielBulkhead,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap as cockatielWrap,
  ExponentialBackoff,
  handleAll,
  TimeoutStrategy,
} from "cockatiel";
import OpossumBreaker from "opossum";

type Subject = "bare" | "nines" | "cockatiel" | "opossum";
type Scenario = "await" | "retry+breaker" | "pipeline";
interface Case {
  subject: Subject;
  scenario: Scenario;
  call: () => Promise<unknown>;
  best: number;
}

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    calls: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "50000" },
    "no-failure": { type: "boolean", default: false },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const perRound = Math.ceil(calls / rounds);
const warmup = Number(values.warmup);

const noop = async (): Promise<void> => {};

async function loop(call: () => Promise<unknown>, n: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call();
  return Number(process.hrtime.bigint() - started) / n;
}

async function main(): Promise<void> {
  const cases: Case[] = [];
  const add = (subject: Subject, scenario: Scenario, call: () => Promise<unknown>) =>
    cases.push({ subject, scenario, call, best: Number.POSITIVE_INFINITY });

  add("bare", "await", noop);

  const consecutive: CircuitBreakerOptions = { window: { kind: "consecutive", failureThreshold: 5 }, openMs: 10_000 };
  const ninesRetryBreaker = wrap(retry({ maxAttempts: 3, idempotent: true }), circuitBreaker(consecutive));
  add("nines", "retry+breaker", () => ninesRetryBreaker.execute(noop));
  const ninesPipeline = wrap(
    retry({ maxAttempts: 3, idempotent: true }),
    circuitBreaker(consecutive),
    bulkhead({ maxConcurrent: 10, maxQueue: 100 }),
    timeout({ timeoutMs: 1000, mode: "aggressive" }),
  );
  add("nines", "pipeline", () => ninesPipeline.execute(noop));

  // cockatiel's maxAttempts counts retries only: 2 is 3 attempts in all, as nines' 3.
  const cockatielRetryBreaker = cockatielWrap(
    cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
  );
  add("cockatiel", "retry+breaker", () => cockatielRetryBreaker.execute(noop));
  const cockatielPipeline = cockatielWrap(
    cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    cockatielBulkhead(10, 100),
    cockatielTimeout(1000, TimeoutStrategy.Aggressive),
  );
  add("cockatiel", "pipeline", () => cockatielPipeline.execute(noop));

  // opossum has no retry; its defaults include a 10 s timeout and rolling statistics.
  const opossum = new OpossumBreaker(noop);
  add("opossum", "retry+breaker", () => opossum.fire());

  for (const c of cases) await loop(c.call, warmup);
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) c.best = Math.min(c.best, await loop(c.call, perRound));
  }
  opossum.shutdown();

  for (const c of cases) {
    const result = { subject: c.subject, scenario: c.scenario, nsPerCall: Math.round(c.best * 10) / 10 };
    if (values.json) console.log(JSON.stringify(result));
  }
  if (!values.json) {
    console.log(
      `${calls} sequential calls per subject, ${rounds} rounds, best round reported (Node ${process.version})`,
    );
    for (const c of cases) {
      console.log(`  ${c.subject.padEnd(10)} ${c.scenario.padEnd(14)} ${c.best.toFixed(1).padStart(9)} ns/call`);
    }
    printRatios(cases);
    if (!values["no-failure"]) await failurePath();
  }
}

function printRatios(cases: Case[]): void {
  const ns = (subject: Subject, scenario: Scenario) =>
    cases.find((c) => c.subject === subject && c.scenario === scenario)?.best;
  const bare = ns("bare", "await") ?? 0;
  for (const scenario of ["retry+breaker", "pipeline"] as const) {
    const nines = ns("nines", scenario);
    const cockatiel = ns("cockatiel", scenario);
    if (nines === undefined || cockatiel === undefined) continue;
    const ratio = (nines - bare) / (cockatiel - bare);
    console.log(
      `  ${scenario}: overhead above bare await: nines ${(nines - bare).toFixed(0)} ns, cockatiel ${(cockatiel - bare).toFixed(0)} ns, ratio ${ratio.toFixed(3)}${scenario === "retry+breaker" ? " (goal <= 0.25)" : ""}`,
    );
  }
  const pipeline = ns("nines", "pipeline");
  if (pipeline !== undefined)
    console.log(`  nines full pipeline with a timeout: ${pipeline.toFixed(0)} ns/call (goal < 1000)`);
}

/**
 * The failure path's cost against the window size: a count-window breaker
 * with 100 vs 100,000 calls in its window, calls alternating success and
 * failure (rate 0.5, under the 0.9 threshold, so it never opens). The same
 * error object is thrown each time so no stack is captured.
 */
async function failurePath(): Promise<void> {
  const error = new Error("failure path");
  let n = 0;
  const flaky = async (): Promise<void> => {
    if (n++ % 2 === 1) throw error;
  };
  const swallow = () => {};
  console.log("  failure path (count window, alternating success/failure, ns per call):");
  const sizes = [100, 100_000];
  const breakers = sizes.map((size) =>
    wrap(circuitBreaker({ window: { kind: "count", size, minimumCalls: size, failureRateThreshold: 0.9 } })),
  );
  const best = sizes.map(() => Number.POSITIVE_INFINITY);
  const per = Math.min(perRound, 200_000);
  for (const breaker of breakers) await loop(() => breaker.execute(flaky).catch(swallow), Math.max(warmup, 200_000));
  for (let round = 0; round < rounds; round++) {
    for (const [i, breaker] of breakers.entries()) {
      best[i] = Math.min(best[i] as number, await loop(() => breaker.execute(flaky).catch(swallow), per));
    }
  }
  for (const [i, size] of sizes.entries()) {
    console.log(`    window ${String(size).padStart(7)} calls: ${(best[i] as number).toFixed(1)} ns/call`);
  }
}

await main();
