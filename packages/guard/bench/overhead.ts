// The overhead of the whole guard on a hello-world route: requests per
// second with and without it, for node:http, Fastify and Express, in one run.
// Each server runs in its own process; this process drives a closed loop of
// undici requests (a fixed number in flight, each sent when the last ended)
// in short rounds that alternate between subjects, and reports the median.
//   npm run bench:guard-overhead [-- --quick] [-- --json]
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";

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
const rounds = Number(values.rounds ?? (values.quick ? 5 : 15));
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

/** Requests per second over `ms` with `concurrency` requests always in flight, and the server's CPU per request. */
async function closedLoop(target: Running, ms: number): Promise<Round> {
  const origin = target.origin;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let done = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        const response = await pool.request({ path: "/hello", method: "GET" });
        await response.body.dump();
        if (response.statusCode !== 200) errors++;
        else if (measuring) done++;
      } catch {
        errors++;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  // Warm up (JIT, connections) before counting.
  await new Promise((resolve) => setTimeout(resolve, Math.min(500, ms / 4)));
  const cpuBefore = await cpuOf(target.child);
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  measuring = false;
  const elapsed = performance.now() - started;
  const cpuAfter = await cpuOf(target.child);
  const counted = done;
  stop = true;
  await Promise.all(workers);
  await pool.close();
  if (errors > 0) throw new Error(`${origin}: ${errors} failed requests`);
  return { rps: (counted / elapsed) * 1000, cpuUs: (cpuAfter - cpuBefore) / counted };
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
      // Alternate which one goes first so drift in machine load hits both alike.
      const pair = running.filter((r) => r.subject === framework || r.subject === `${framework}+guard`);
      if (round % 2 === 1) pair.reverse();
      for (const r of pair) results.get(r.subject)?.push(await closedLoop(r, roundMs));
    }
  }
  const rows = frameworks.map((framework) => {
    const plainRuns = results.get(framework) ?? [];
    const guardRuns = results.get(`${framework}+guard`) ?? [];
    // Paired rounds: the median of per-round ratios is less sensitive to load drift than the ratio of medians.
    const rpsRatio = median(plainRuns.map((p, i) => (guardRuns[i] as Round).rps / p.rps));
    const cpuRatio = median(plainRuns.map((p, i) => (guardRuns[i] as Round).cpuUs / p.cpuUs));
    return {
      framework,
      plainRps: Math.round(median(plainRuns.map((r) => r.rps))),
      guardRps: Math.round(median(guardRuns.map((r) => r.rps))),
      rpsOverheadPct: Number(((1 - rpsRatio) * 100).toFixed(1)),
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
      "framework   req/s without   req/s with guard   req/s cost   server CPU us/req without -> with   CPU cost",
    );
    for (const r of rows)
      console.log(
        `${r.framework.padEnd(12)}${String(r.plainRps).padStart(13)}${String(r.guardRps).padStart(19)}` +
          `${`${r.rpsOverheadPct}%`.padStart(13)}${`${r.plainCpuUsPerRequest} -> ${r.guardCpuUsPerRequest}`.padStart(36)}` +
          `${`${r.cpuOverheadPct}%`.padStart(11)}`,
      );
  }
} finally {
  for (const r of running) r.child.kill();
}
