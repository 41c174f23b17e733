import { Agent, request } from "node:http";
import { SeededRandom } from "@nines/core";

/** One request of an open-loop run: when it was sent (ms from the start), its status (0: no answer) and latency. */
export interface Sent {
  sentAtMs: number;
  status: number;
  latencyMs: number;
  /** `x-nines-rejected` and the refusal's detail (`shed:queue-timeout`), when refused. */
  rejected: string | undefined;
}

/** What an overload run measured over its measured window. */
export interface OverloadResult {
  offeredPerSecond: number;
  capacity: number;
  sent: number;
  ok: number;
  shed: number;
  failed: number;
  /** Successful answers per second divided by the capacity. */
  goodput: number;
  /** Refusals by reason and detail. */
  shedBy: Record<string, number>;
  /** Latencies of the admitted (successful) requests. */
  p50Ms: number;
  p99Ms: number;
}

/**
 * Sends GET requests at `rate` with Poisson arrivals (open loop:
 * an arrival never waits for an earlier answer), each carrying its
 * deadline in `x-request-deadline`, for `durationMs`; records every one.
 *
 * @example
 * const sent = await openLoop({ url: `${inventory.url}/trips?to=Rome`, rate: 45, durationMs: 10_000 });
 */
export async function openLoop(options: {
  url: string;
  rate: number;
  durationMs: number;
  deadlineMs?: number;
  seed?: number;
}): Promise<Sent[]> {
  const random = new SeededRandom(options.seed ?? 42);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const deadlineMs = options.deadlineMs ?? 1000;
  const start = performance.now();
  const pending: Promise<Sent>[] = [];
  let next = 0;
  try {
    while (next < options.durationMs) {
      const wait = start + next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(send(options.url, agent, Math.round(performance.now() - start), deadlineMs));
      // Exponential gaps: a Poisson process of the given rate.
      next += (-Math.log(1 - random.next()) * 1000) / options.rate;
    }
    return await Promise.all(pending);
  } finally {
    agent.destroy();
  }
}

function send(url: string, agent: Agent, sentAtMs: number, deadlineMs: number): Promise<Sent> {
  const began = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, rejected: string | undefined) =>
      resolve({ sentAtMs, status, latencyMs: performance.now() - began, rejected });
    const req = request(url, {
      agent,
      headers: { "x-request-deadline": String(Date.now() + deadlineMs) },
      timeout: deadlineMs,
    });
    req.on("response", (res) => {
      const header = res.headers["x-nines-rejected"];
      let body = "";
      res.on("data", (chunk: Buffer) => {
        if (header !== undefined) body += chunk.toString();
      });
      res.on("end", () => {
        const detail = header === undefined ? undefined : (/"detail":"([^"]*)"/.exec(body)?.[1] ?? "");
        done(res.statusCode ?? 0, header === undefined ? undefined : `${String(header)}:${detail}`);
      });
      res.on("error", () => done(0, undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(0, undefined));
    req.end();
  });
}

/**
 * Goodput and latency of an open-loop run, over the requests sent from
 * `fromMs` on (the warm-up before is left out).
 *
 * @example
 * const result = summarise(sent, { capacity: 40, offeredPerSecond: 45, fromMs: 2000, toMs: 12_000 });
 */
export function summarise(
  sent: readonly Sent[],
  window: { capacity: number; offeredPerSecond: number; fromMs: number; toMs: number },
): OverloadResult {
  const measured = sent.filter((s) => s.sentAtMs >= window.fromMs && s.sentAtMs < window.toMs);
  const ok = measured.filter((s) => s.status === 200);
  const shed = measured.filter((s) => s.status === 503 && s.rejected !== undefined);
  const latencies = ok.map((s) => s.latencyMs).sort((a, b) => a - b);
  const seconds = (window.toMs - window.fromMs) / 1000;
  return {
    offeredPerSecond: window.offeredPerSecond,
    capacity: window.capacity,
    sent: measured.length,
    ok: ok.length,
    shed: shed.length,
    failed: measured.length - ok.length - shed.length,
    shedBy: Object.fromEntries(
      [...new Set(shed.map((s) => s.rejected as string))].map((r) => [r, shed.filter((s) => s.rejected === r).length]),
    ),
    goodput: ok.length / seconds / window.capacity,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
