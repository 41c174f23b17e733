// Goodput under overload: npm run bench:guard [-- --quick] [-- --json]
// A server whose requests cost about 2 ms of CPU; its capacity C is measured
// closed-loop; then open-loop Poisson load at 1x, 2x, 3x and 5x C with a 1 s
// client deadline, for: no protection, @fastify/under-pressure (README
// settings) and nines. Goodput = responses within the deadline per second / C.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { calibrateIterations } from "./cpu-work.js";
import { closedLoop, openLoop, openLoopPool, probeLoop, type RequestRecord } from "./load-generator.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    subjects: { type: "string", default: "none,under-pressure,nines" },
    multiples: { type: "string" },
    runs: { type: "string" },
    seconds: { type: "string" },
  },
});
const quick = values.quick === true;
const multiples = values.multiples ? values.multiples.split(",").map(Number) : quick ? [1, 3, 5] : [1, 2, 3, 5];
const runs = Number(values.runs ?? (quick ? 1 : 3));
const durationMs = Number(values.seconds ?? (quick ? 4 : 8)) * 1000;
const subjects = (values.subjects ?? "").split(",");
const deadlineMs = 1000;
const stepMs = 1000;
const serverScript = new URL("./goodput-server.ts", import.meta.url).pathname;
const log = (line: string) => process.stderr.write(`${line}\n`);
const iterations = calibrateIterations(2);

async function startServer(subject: string): Promise<{ origin: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", serverScript, "--subject", subject, "--iterations", String(iterations)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const { port } = JSON.parse(line) as { port: number };
    return { origin: `http://127.0.0.1:${port}`, child };
  }
  throw new Error(`the ${subject} server exited before listening`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Result {
  subject: string;
  offered: number;
  goodput: number;
  p50Ms: number;
  p99Ms: number;
  probesAnswered: number;
  rejectedShare: number;
  /** p99 of successes sent during the first second at the new rate (the step from 0.5x), reported apart. */
  stepP99Ms: number;
  recoveryMs?: number;
}

function summarise(records: RequestRecord[], capacity: number, seconds: number) {
  const ok = records.filter((r) => r.status === 200 && r.latencyMs <= deadlineMs);
  const latencies = ok.map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    goodput: ok.length / seconds / capacity,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    rejectedShare: records.filter((r) => r.status === 503 || r.status === 429).length / Math.max(1, records.length),
  };
}

/** Time after the overload ends until every request sent in a following 1 s window succeeds within 100 ms. */
function recoveryMs(records: RequestRecord[], from: number): number {
  const after = records.filter((r) => r.sentAt >= from).sort((a, b) => a.sentAt - b.sentAt);
  for (const start of after) {
    const window = after.filter((r) => r.sentAt >= start.sentAt && r.sentAt < start.sentAt + 1000);
    if (window.every((r) => r.status === 200 && r.latencyMs < 100)) return start.sentAt - from;
  }
  return Number.NaN;
}

async function measureCapacity(): Promise<number> {
  const { origin, child } = await startServer("none");
  try {
    await closedLoop(origin, "/", 4, 1000); // warm-up
    return await closedLoop(origin, "/", 4, quick ? 2000 : 4000);
  } finally {
    await stop(child);
  }
}

async function runOnce(
  subject: string,
  multiple: number,
  capacity: number,
  seed: number,
  withRecovery: boolean,
): Promise<Result> {
  const { origin, child } = await startServer(subject);
  // One keep-alive pool for every phase, as a real client's would be: the measured phase starts with warm connections.
  const pool = openLoopPool(origin);
  try {
    await openLoop({ origin, pool, path: "/", rate: capacity * 0.5, durationMs: 1000, deadlineMs, seed: seed + 1000 }); // warm-up
    let done = false;
    const probes = probeLoop(origin, "/livez", 100, 100, () => done);
    // The first second at the new rate is the step response; the steady state is measured after it.
    const all = await openLoop({
      origin,
      pool,
      path: "/",
      rate: capacity * multiple,
      durationMs: durationMs + stepMs,
      deadlineMs,
      seed,
    });
    const records = all.filter((r) => r.sentAt >= stepMs).map((r) => ({ ...r, sentAt: r.sentAt - stepMs }));
    const stepLatencies = all
      .filter((r) => r.sentAt < stepMs && r.status === 200)
      .map((r) => r.latencyMs)
      .sort((a, b) => a - b);
    done = true;
    const probesAnswered = await probes;
    const result: Result = {
      subject,
      offered: multiple,
      ...summarise(records, capacity, durationMs / 1000),
      probesAnswered,
      stepP99Ms: percentile(stepLatencies, 99),
    };
    if (withRecovery) {
      const tail = await openLoop({
        origin,
        pool,
        path: "/",
        rate: capacity * 0.5,
        durationMs: 3000,
        deadlineMs,
        seed: seed + 7,
      });
      result.recoveryMs = recoveryMs(tail, 0);
    }
    return result;
  } finally {
    await pool.destroy();
    await stop(child);
  }
}

const capacity = await measureCapacity();
log(`capacity C = ${capacity.toFixed(0)} requests/s (closed loop, 4 connections, ~2 ms of CPU per request)`);
const table: Result[] = [];
for (const subject of subjects) {
  for (const multiple of multiples) {
    const results: Result[] = [];
    for (let run = 0; run < runs; run++) {
      results.push(await runOnce(subject, multiple, capacity, 17 + run, multiple === Math.max(...multiples)));
    }
    results.sort((a, b) => a.goodput - b.goodput);
    const median = results[Math.floor(results.length / 2)] as Result;
    table.push(median);
    if (values.json) {
      console.log(
        JSON.stringify({
          subject,
          offered: multiple,
          goodput: round(median.goodput),
          p50Ms: round(median.p50Ms),
          p99Ms: round(median.p99Ms),
          probesAnswered: round(median.probesAnswered),
        }),
      );
    }
    log(
      `${subject.padEnd(15)} ${multiple}x C: goodput ${median.goodput.toFixed(2)} C, p50 ${median.p50Ms.toFixed(1)} ms, p99 ${median.p99Ms.toFixed(1)} ms, probes ${(median.probesAnswered * 100).toFixed(0)}%, rejected ${(median.rejectedShare * 100).toFixed(0)}%${median.recoveryMs === undefined ? "" : `, recovery ${Number.isNaN(median.recoveryMs) ? "none within 3 s" : `${median.recoveryMs.toFixed(0)} ms`}`}`,
    );
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (!values.json) {
  console.log(
    `\ncapacity C = ${capacity.toFixed(0)} req/s; ${runs} run(s) per cell (median by goodput), ${durationMs / 1000} s each, 1 s client deadline\n`,
  );
  console.log(
    "| subject | offered | goodput (C) | p50 ms | p99 ms | p99 ms, first second | probes answered in 100 ms | rejected | recovery |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of table) {
    console.log(
      `| ${r.subject} | ${r.offered}x | ${r.goodput.toFixed(2)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.stepP99Ms.toFixed(1)} | ${(r.probesAnswered * 100).toFixed(0)}% | ${(r.rejectedShare * 100).toFixed(0)}% | ${r.recoveryMs === undefined ? "" : Number.isNaN(r.recoveryMs) ? "> 3 s" : `${r.recoveryMs.toFixed(0)} ms`} |`,
    );
  }
}
