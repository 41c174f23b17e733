// The overhead of the whole guard on a hello-world route: requests per
// second with and without it, for node:http, Fastify and Express, in one run.
// Each server runs in its own process; this process drives closed loops of
// undici requests (a fixed number in flight, each sent when the last ended)
// against the plain and the guarded server at the same time, in short rounds,
// and reports the median of the per-round ratios and the server CPU per request.
//   npm run bench:guard-overhead [-- --quick] [-- --json]
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { pipelineCost } from "./pipeline-cost.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    rounds: { type: "string" },
    "round-ms": { type: "string" },
    concurrency: { type: "string", default: "32" },
    frameworks: { type: "string", default: "node,fastify,express" },
  },
});
const rounds = Number(values.rounds ?? (values.quick ? 3 : 9));
const roundMs = Number(values["round-ms"] ?? (values.quick ? 500 : 1000));
const concurrency = Number(values.concurrency);
const frameworks = values.frameworks.split(",");
const serverScript = fileURLToPath(new URL("./overhead-server.ts", import.meta.url));

interface Running {
  subject: string;
  child: ChildProcess;
  origin: string;
}

async function start(subject: string): Promise<Running> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", serverScript, subject], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0] as string).port);
    });
    child.on("exit", (code) => reject(new Error(`${subject} exited with ${code}`)));
  });
  return { subject, child, origin: `http://127.0.0.1:${port}` };
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("message", (usage: { user: number; system: number }) => resolve(usage.user + usage.system));
    child.send("cpu");
  });
}

interface Round {
  rps: number;
  /** Server CPU time per request, in microseconds. */
  cpuUs: number;
}

/**
 * Loads every target at the same time for `ms` (each with `concurrency`
 * requests always in flight) and returns, per target, requests per second
 * and the server's CPU per request. Running the pair side by side means
 * both see the same machine: other processes' load drifts, but not between them.
 */
async function closedLoop(targets: Running[], ms: number): Promise<Round[]> {
  const loads = targets.map((target) => ({
    target,
    pool: new Pool(target.origin, { connections: concurrency, pipelining: 1 }),
    done: 0,
    errors: 0,
  }));
  let measuring = false;
  let stop = false;
  const workers = loads.flatMap((load) =>
    Array.from({ length: concurrency }, async () => {
      while (!stop) {
        try {
          const response = await load.pool.request({ path: "/hello", method: "GET" });
          await response.body.dump();
          if (response.statusCode !== 200) load.errors++;
          else if (measuring) load.done++;
        } catch {
          load.errors++;
        }
      }
    }),
  );
  // Warm up (JIT, connections) before counting.
  await new Promise((resolve) => setTimeout(resolve, Math.min(500, ms / 4)));
  const cpuBefore = await Promise.all(targets.map((t) => cpuOf(t.child)));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  measuring = false;
  const elapsed = performance.now() - started;
  const cpuAfter = await Promise.all(targets.map((t) => cpuOf(t.child)));
  const counted = loads.map((l) => l.done);
  stop = true;
  await Promise.all(workers);
  await Promise.all(loads.map((l) => l.pool.close()));
  for (const l of loads) if (l.errors > 0) throw new Error(`${l.target.subject}: ${l.errors} failed requests`);
  return loads.map((_, i) => ({
    rps: ((counted[i] as number) / elapsed) * 1000,
    cpuUs: ((cpuAfter[i] as number) - (cpuBefore[i] as number)) / (counted[i] as number),
  }));
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return (s[lo] as number) + ((s[Math.ceil(at)] as number) - (s[lo] as number)) * (at - lo);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const subjects = frameworks.flatMap((f) => [f, `${f}+guard`]);
const running: Running[] = [];
try {
  for (const subject of subjects) running.push(await start(subject));
  const results = new Map<string, Round[]>(subjects.map((s) => [s, []]));
  for (let round = 0; round < rounds; round++) {
    for (const framework of frameworks) {
      const pair = running.filter((r) => r.subject === framework || r.subject === `${framework}+guard`);
      // Whichever pool starts first gets a few percent more service from this client (an A/A run
      // showed 8%): every round runs twice, once in each order, and keeps the geometric mean.
      const ab = await closedLoop(pair, roundMs);
      const ba = (await closedLoop([...pair].reverse(), roundMs)).reverse();
      pair.forEach((r, i) => {
        const x = ab[i] as Round;
        const y = ba[i] as Round;
        results.get(r.subject)?.push({ rps: Math.sqrt(x.rps * y.rps), cpuUs: Math.sqrt(x.cpuUs * y.cpuUs) });
      });
    }
  }
  const rows = frameworks.map((framework) => {
    const plainRuns = results.get(framework) ?? [];
    const guardRuns = results.get(`${framework}+guard`) ?? [];
    // Paired rounds: the median of per-round ratios is less sensitive to load drift than the ratio of medians.
    const rpsRatios = plainRuns.map((p, i) => (guardRuns[i] as Round).rps / p.rps);
    const rpsRatio = median(rpsRatios);
    const cpuRatio = median(plainRuns.map((p, i) => (guardRuns[i] as Round).cpuUs / p.cpuUs));
    return {
      framework,
      plainRps: Math.round(median(plainRuns.map((r) => r.rps))),
      guardRps: Math.round(median(guardRuns.map((r) => r.rps))),
      rpsOverheadPct: Number(((1 - rpsRatio) * 100).toFixed(1)),
      // The spread of the per-round cost (25th..75th percentile): how noisy the machine was.
      rpsOverheadIqrPct: [
        Number(((1 - quantile(rpsRatios, 0.75)) * 100).toFixed(1)),
        Number(((1 - quantile(rpsRatios, 0.25)) * 100).toFixed(1)),
      ],
      plainCpuUsPerRequest: Number(median(plainRuns.map((r) => r.cpuUs)).toFixed(1)),
      guardCpuUsPerRequest: Number(median(guardRuns.map((r) => r.cpuUs)).toFixed(1)),
      cpuOverheadPct: Number(((cpuRatio - 1) * 100).toFixed(1)),
      rounds,
      roundMs,
      concurrency,
    };
  });
  if (values.json) for (const row of rows) console.log(JSON.stringify(row));
  else {
    console.log(`guard overhead, hello world, ${rounds} rounds x ${roundMs} ms, ${concurrency} in flight (median)`);
    console.log(
      "framework   req/s without   req/s with guard   req/s cost [IQR of rounds]   server CPU us/req without -> with   CPU cost",
    );
    for (const r of rows)
      console.log(
        `${r.framework.padEnd(12)}${String(r.plainRps).padStart(13)}${String(r.guardRps).padStart(19)}` +
          `${`${r.rpsOverheadPct}% [${r.rpsOverheadIqrPct.join("..")}]`.padStart(22)}${`${r.plainCpuUsPerRequest} -> ${r.guardCpuUsPerRequest}`.padStart(36)}` +
          `${`${r.cpuOverheadPct}%`.padStart(11)}`,
      );
  }
  // The guard's own cost, measured in process (stable on a busy machine), against the
  // plain node:http server's CPU per request measured above.
  const pipeline = pipelineCost(values.quick ? 7 : 21);
  const nodeRow = rows.find((r) => r.framework === "node");
  const pipelineRow = {
    measure: "pipeline",
    guardNsPerRequest: Math.round(pipeline.guardNs),
    plainServerCpuUsPerRequest: nodeRow?.plainCpuUsPerRequest,
    estimatedOverheadPct:
      nodeRow === undefined
        ? undefined
        : Number(((pipeline.guardNs / (nodeRow.plainCpuUsPerRequest * 1000)) * 100).toFixed(1)),
  };
  if (values.json) console.log(JSON.stringify(pipelineRow));
  else
    console.log(
      `guard pipeline in process: +${pipelineRow.guardNsPerRequest} ns CPU per request` +
        (nodeRow === undefined
          ? ""
          : ` = ${pipelineRow.estimatedOverheadPct}% of the plain node:http server's ${nodeRow.plainCpuUsPerRequest} us per request`),
    );
} finally {
  for (const r of running) r.child.kill();
}
