// nines simulate benchmarks, beside SimPy where a peer exists:
//
//   mmc          M/M/10 at utilization 0.8 (mean service 1), 200,000 customers, in nines' engine and in
//                SimPy 2.3.1 (Debian's python3-simpy, installed with apt-get when missing): customers per
//                wall-second, their ratio, and each one's mean wait against Erlang C.
//   clicktravel-hour  ClickTravel (examples/clicktravel/nines.yaml) at its spec load for a simulated hour
//                (--minutes to shorten), every hop through the real policies: user requests and events per
//                wall-second, ns per request-hop (goal: >= 120,000 user requests per wall-second).
//   request-hop  one request-hop through the real retry + breaker + timeout pipeline and the real guard
//                admission gate on the simulator's clock, in ns per hop (and the parts' costs).
//   year-1000    `year` on the planner's benchmark spec (1,000 services over 50 zones, 10 journeys;
//                packages/planner/bench/generate-spec.ts) for --years simulated years (default 10), with the
//                spec's recovery times: events per wall-second and wall time (goal: under 60 s).
//   The clicktravel-hour line also gives the heap a full collection leaves at the start, its highest and at the
//   end of the run (heapStartMb, heapMaxMb, heapEndMb, sampled every ten simulated minutes): memory stays flat.
//
//   npm run bench:simulate                       human table
//   npm run bench:simulate -- --json             one JSON object per line:
//     {"subject", "scenario", "eventsPerSecond", "requestsPerSecond", "meanWait", "wallMs"}
//     (mmc: requestsPerSecond is customers per second, meanWait the mean time in queue in units of the
//     mean service; request-hop adds "nsPerHop" and "variant")
//   npm run bench:simulate -- --customers 1000000 --requests 500000 --minutes 5 --rounds 5 --only mmc
//   npm run bench:simulate -- --only year-1000 --years 100
//
// The npm script builds first and runs without `--conditions=source`: the simulator and the policies
// are the built JavaScript users run (through tsx's transform, the sources cost about a fifth more:
// it names every function and closure). Benchmark glue may read the real clock (performance.now).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadSpec } from "@nines/planner";
import { mmc, type RunMmcResult, runMmc, simulate, simulateYear } from "@nines/sim";
import { generateSpec } from "../../planner/bench/generate-spec.js";
import { type HopVariant, runRequestHop } from "./request-hop.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    customers: { type: "string", default: "200000" },
    requests: { type: "string", default: "200000" },
    seed: { type: "string", default: "1" },
    minutes: { type: "string", default: "60" },
    rounds: { type: "string", default: "3" },
    years: { type: "string", default: "10" },
    only: { type: "string" },
  },
});
const customers = Number(values.customers);
const requests = Number(values.requests);
const seed = Number(values.seed);
// mmc and request-hop report the best of `rounds` runs: on a shared machine a burst of load from elsewhere then
// spoils one round instead of the figure.
const rounds = Number(values.rounds);
const SERVERS = 10;
const UTILIZATION = 0.8;
const erlang = mmc({ servers: SERVERS, arrivalsPerMs: SERVERS * UTILIZATION, meanServiceMs: 1 });
const python = "/usr/bin/python3";

interface Line {
  subject: "nines" | "simpy";
  scenario: string;
  eventsPerSecond: number | null;
  requestsPerSecond: number | null;
  meanWait: number | null;
  wallMs: number;
  [extra: string]: unknown;
}

function emit(line: Line, human: string): void {
  console.log(values.json ? JSON.stringify(line) : human);
}

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

async function benchMmcNines(): Promise<Line> {
  await runMmc({ servers: SERVERS, utilization: UTILIZATION, customers: 50_000, seed: seed + 1 }); // warm-up
  let wallMs = Number.POSITIVE_INFINITY;
  let result: RunMmcResult | undefined;
  for (let round = 0; round < Math.max(1, rounds); round++) {
    const started = performance.now();
    result = await runMmc({ servers: SERVERS, utilization: UTILIZATION, customers, seed });
    wallMs = Math.min(wallMs, performance.now() - started);
  }
  if (result === undefined) throw new Error("bench:simulate: no mmc run");
  const line: Line = {
    subject: "nines",
    scenario: "mmc",
    eventsPerSecond: round(result.events / (wallMs / 1000)),
    requestsPerSecond: round(result.customers / (wallMs / 1000)),
    meanWait: round(result.meanWaitMs, 4),
    wallMs: round(wallMs, 1),
  };
  emit(
    line,
    `nines  mmc  ${line.requestsPerSecond} customers/s, ${line.eventsPerSecond} events/s, mean wait ${line.meanWait} (Erlang C ${round(erlang.meanWaitMs, 4)}), ${line.wallMs} ms`,
  );
  return line;
}

function ensureSimPy(): void {
  const probe = spawnSync(python, ["-c", "import SimPy.Simulation"], { stdio: "ignore" });
  if (probe.status === 0) return;
  console.error(
    "bench:simulate: SimPy 2 is missing; installing Debian's python3-simpy (apt-get install -y python3-simpy)",
  );
  const install = spawnSync("apt-get", ["install", "-y", "python3-simpy"], { stdio: ["ignore", "ignore", "inherit"] });
  if (install.status !== 0) {
    throw new Error("bench:simulate: apt-get install -y python3-simpy failed; run it as root (or with sudo) and retry");
  }
}

function benchMmcSimPy(): Line {
  ensureSimPy();
  const script = fileURLToPath(new URL("./mmc_simpy.py", import.meta.url));
  let result: { customers: number; meanWait: number; wallMs: number } | undefined;
  for (let round = 0; round < rounds; round++) {
    const run = spawnSync(python, [script, String(SERVERS), String(UTILIZATION), String(customers), String(seed)], {
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`bench:simulate: SimPy run failed:\n${run.stderr}`);
    const measured = JSON.parse(run.stdout) as { customers: number; meanWait: number; wallMs: number };
    if (result === undefined || measured.wallMs < result.wallMs) result = measured;
  }
  if (result === undefined) throw new Error("bench:simulate: --rounds must be >= 1");
  const line: Line = {
    subject: "simpy",
    scenario: "mmc",
    // SimPy 2 does not count its events.
    eventsPerSecond: null,
    requestsPerSecond: round(result.customers / (result.wallMs / 1000)),
    meanWait: round(result.meanWait, 4),
    wallMs: round(result.wallMs, 1),
  };
  emit(
    line,
    `simpy  mmc  ${line.requestsPerSecond} customers/s, mean wait ${line.meanWait} (Erlang C ${round(erlang.meanWaitMs, 4)}), ${line.wallMs} ms`,
  );
  return line;
}

async function benchHops(): Promise<void> {
  const variants: HopVariant[] = ["engine", "promise", "admission", "pipeline"];
  for (const variant of variants) await runRequestHop(variant, 20_000, seed + 1, () => performance.now()); // warm-up
  for (const variant of variants) {
    let result = await runRequestHop(variant, requests, seed, () => performance.now());
    for (let round = 1; round < rounds; round++) {
      const again = await runRequestHop(variant, requests, seed, () => performance.now());
      if (again.wallMs < result.wallMs) result = again;
    }
    const line: Line = {
      subject: "nines",
      scenario: "request-hop",
      variant,
      eventsPerSecond: round(result.events / (result.wallMs / 1000)),
      requestsPerSecond: round(result.requests / (result.wallMs / 1000)),
      meanWait: null,
      wallMs: round(result.wallMs, 1),
      nsPerHop: round((result.wallMs * 1e6) / result.requests),
    };
    emit(
      line,
      `nines  request-hop ${variant.padEnd(9)} ${line.nsPerHop} ns/hop, ${line.requestsPerSecond} hops/s, ${line.eventsPerSecond} events/s, ${result.succeeded}/${result.requests} served`,
    );
  }
}

async function benchClickTravel(): Promise<void> {
  const spec = loadSpec(fileURLToPath(new URL("../../../examples/clicktravel/nines.yaml", import.meta.url)));
  await simulate(spec, { kind: "steady" }, { durationMs: 5000, seed: seed + 1 }); // warm-up
  const minutes = Number(values.minutes);
  // The heap that a full collection leaves (what the run retains, not the garbage waiting for the next one),
  // every ten simulated minutes: six full collections cost about a tenth of a second of the hour.
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc") as () => void;
  const mb = () => {
    collect();
    return round(process.memoryUsage().heapUsed / 1024 / 1024, 1);
  };
  const heapStartMb = mb();
  let heapMaxMb = heapStartMb;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await simulate(
    spec,
    { kind: "steady" },
    {
      durationMs: Math.round(minutes * 60_000),
      seed,
      onProgress: (p) => {
        if ((p.done ?? 0) % 600 === 0) heapMaxMb = Math.max(heapMaxMb, mb());
      },
    },
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const requests = result.journeys.reduce((sum, j) => sum + j.requests, 0);
  const line: Line = {
    subject: "nines",
    scenario: "clicktravel-hour",
    eventsPerSecond: round(result.events / (wallMs / 1000)),
    requestsPerSecond: round(requests / (wallMs / 1000)),
    meanWait: null,
    wallMs: round(wallMs, 1),
    simulatedMinutes: minutes,
    nsPerHop: round((wallMs * 1e6) / result.hops),
    heapStartMb,
    heapMaxMb,
    heapEndMb: mb(),
    // On a shared machine the process's CPU time shows what the wall time hides.
    cpuMs: round(cpuMs, 1),
    requestsPerCpuSecond: round(requests / (cpuMs / 1000)),
  };
  emit(
    line,
    `nines  clicktravel ${minutes} min: ${line.requestsPerSecond} user requests/s (goal >= 120000), ${line.eventsPerSecond} events/s, ${line.nsPerHop} ns/hop, ${round(result.hops / requests, 2)} hops/request, ${line.wallMs} ms; heap ${heapStartMb} MB at the start, ${heapMaxMb} MB at most, ${line.heapEndMb} MB at the end`,
  );
}

async function benchYear1000(): Promise<void> {
  const spec = generateSpec({ services: 1000, regions: 10, zonesPerRegion: 5, journeys: 10 });
  const years = Number(values.years);
  await simulateYear(spec, { years: 1, seed: seed + 1 }); // warm-up
  const started = performance.now();
  const result = await simulateYear(spec, { years, seed });
  const wallMs = performance.now() - started;
  const line: Line = {
    subject: "nines",
    scenario: "year-1000",
    eventsPerSecond: round(result.events / (wallMs / 1000)),
    requestsPerSecond: null,
    meanWait: null,
    wallMs: round(wallMs, 1),
    simulatedYears: years,
  };
  emit(
    line,
    `nines  year-1000 ${years} years: ${line.eventsPerSecond} events/s, ${line.wallMs} ms (goal < 60000), ${round(wallMs / years)} ms per simulated year`,
  );
}

const SCENARIOS = ["mmc", "clicktravel-hour", "request-hop", "year-1000"];
const only = values.only;
if (only === undefined) {
  // Each scenario in a process of its own, as a user runs one simulation: in one process the code the earlier
  // scenarios ran through (the engine with M/M/c's callbacks, the year's) is left compiled for their shapes, and
  // the hour of ClickTravel after them ran a third slower than alone (79 s against 58-60 s).
  const script = fileURLToPath(import.meta.url);
  const forwarded = process.argv.slice(2);
  for (const scenario of SCENARIOS) {
    const run = spawnSync(process.execPath, [...process.execArgv, script, ...forwarded, "--only", scenario], {
      stdio: "inherit",
    });
    if (run.status !== 0) throw new Error(`bench:simulate: the ${scenario} scenario failed (exit ${run.status})`);
  }
} else if (!SCENARIOS.includes(only)) {
  throw new Error(`bench:simulate: --only must be one of ${SCENARIOS.join(", ")}, got '${only}'`);
}
if (only === "mmc") {
  const nines = await benchMmcNines();
  const simpy = benchMmcSimPy();
  if (!values.json && nines.requestsPerSecond !== null && simpy.requestsPerSecond !== null) {
    console.log(
      `mmc ratio nines / simpy: ${round(nines.requestsPerSecond / simpy.requestsPerSecond, 1)}x (goal >= 10x)`,
    );
  }
}
if (only === "clicktravel-hour") await benchClickTravel();
if (only === "request-hop") await benchHops();
if (only === "year-1000") await benchYear1000();
