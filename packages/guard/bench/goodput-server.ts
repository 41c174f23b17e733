// One server for the goodput benchmark, in its own process:
//   node --conditions=source --import tsx goodput-server.ts --subject none|under-pressure|nines --iterations N
// Prints {"port": N} on stdout once it listens on 127.0.0.1. Health probe at /livez for every subject.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { work as spin } from "./cpu-work.js";

const { values } = parseArgs({
  options: { subject: { type: "string", default: "none" }, iterations: { type: "string" } },
});
const iterations = Number(values.iterations);
if (!(iterations > 0)) throw new Error("pass --iterations N (from calibrateIterations)");
const work = () => spin(iterations);

function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

async function startNone(): Promise<void> {
  const server = createServer((req, res) => {
    if (req.url === "/livez") {
      res.end("ok");
      return;
    }
    work();
    res.end("ok");
  });
  server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
}

async function startUnderPressure(): Promise<void> {
  const { default: Fastify } = await import("fastify");
  const { default: underPressure } = await import("@fastify/under-pressure");
  const app = Fastify({ logger: false });
  // The README's settings, with the memory limits raised: 100 MB of RSS is below what this process uses at idle.
  await app.register(underPressure, {
    maxEventLoopDelay: 1000,
    maxHeapUsedBytes: 1_000_000_000,
    maxRssBytes: 2_000_000_000,
    maxEventLoopUtilization: 0.98,
    retryAfter: 1,
    exposeStatusRoute: "/livez",
  });
  app.get("/", async () => {
    work();
    return "ok";
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  announce((app.server.address() as AddressInfo).port);
}

async function startNines(): Promise<void> {
  const guard = await import("@nines/guard");
  const { adaptiveGate } = guard;
  const targetMs = Number(process.env["NINES_BENCH_CODEL_TARGET_MS"]) || undefined;
  const gate = adaptiveGate(targetMs ? { codel: { targetMs, intervalMs: Math.max(100, targetMs * 5) } } : {});
  const g = guard.createGuard({
    gate,
    paths: { liveness: "/livez" },
    // The client's absolute deadline (epoch ms), as the load generator sends it.
    deadlineOf: (r) => Number(r.header("x-request-deadline")) || undefined,
  });
  if (process.env["NINES_BENCH_DEBUG"]) {
    const counts: Record<string, number> = {};
    gate.admission.on("rejected", (e) => {
      counts[e.reason] = (counts[e.reason] ?? 0) + 1;
    });
    gate.admission.on("admitted", (e) => {
      counts["admitted"] = (counts["admitted"] ?? 0) + 1;
      counts["queuedMsTotal"] = (counts["queuedMsTotal"] ?? 0) + e.queuedMs;
    });
    setInterval(() => {
      const a = gate.admission;
      process.stderr.write(
        `inflight ${a.inflight} queued ${a.queued} limit ${a.limit} overloaded ${a.overloaded} rejected ${JSON.stringify(counts)}\n`,
      );
    }, 1000).unref();
  }
  const serverLatencies: number[] = [];
  const server = guard.guardHttpServer((_req, res) => {
    const t0 = performance.now();
    work();
    res.end("ok");
    if (process.env["NINES_BENCH_DIAG"]) serverLatencies.push(performance.now() - t0);
  }, g);
  if (process.env["NINES_BENCH_DIAG"]) {
    server.prependListener("request", (req) => {
      (req as unknown as { t0: number }).t0 = performance.now();
    });
    process.once("exit", () => {
      const s = serverLatencies.sort((a, b) => a - b);
      process.stderr.write(
        `server handler ms p50 ${s[Math.floor(s.length / 2)]?.toFixed(2)} p99 ${s[Math.floor(s.length * 0.99)]?.toFixed(2)} n ${s.length}\n`,
      );
    });
  }
  server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
}

// Exit normally on SIGINT so that --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0));

const starters: Record<string, () => Promise<void>> = {
  none: startNone,
  "under-pressure": startUnderPressure,
  nines: startNines,
};
const start = starters[values.subject ?? "none"];
if (!start) {
  process.stderr.write(`unknown subject ${values.subject}; use none, under-pressure or nines\n`);
  process.exitCode = 2;
} else {
  await start();
}
