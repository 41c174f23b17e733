// Open-loop load on undici: requests start at Poisson arrival times whatever
// happens to earlier ones (closed-loop tools like autocannon slow down with
// the server and so mismeasure overload), each with its own deadline.
import { SeededRandom } from "@nines/core";
import { Pool } from "undici";

export interface RequestRecord {
  /** Milliseconds from the start of the run when the request was sent. */
  sentAt: number;
  /** Milliseconds to the end of the response, or to the deadline. */
  latencyMs: number;
  /** HTTP status, 0 when the deadline passed or the connection failed. */
  status: number;
}

export interface OpenLoopOptions {
  origin: string;
  path: string;
  /** Requests per second, on average (Poisson arrivals). */
  rate: number;
  durationMs: number;
  deadlineMs: number;
  seed: number;
  /** Connections the pool may open. */
  connections?: number;
  /** A pool to reuse (its connections stay warm across phases); closed by its owner. */
  pool?: Pool;
}

/** A keep-alive pool for open-loop phases against `origin`. */
export function openLoopPool(origin: string, connections = 1024): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
}

/** Runs an open-loop phase and returns one record per request. */
export async function openLoop(options: OpenLoopOptions): Promise<RequestRecord[]> {
  const pool = new Pool(options.origin, {
    connections: options.connections ?? 1024,
    pipelining: 1,
    keepAliveTimeout: 10_000,
  });
  const random = new SeededRandom(options.seed);
  const records: RequestRecord[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let next = 0;
  const fire = (sentAt: number) => {
    const record: RequestRecord = { sentAt, latencyMs: options.deadlineMs, status: 0 };
    records.push(record);
    const t0 = performance.now();
    pending.push(
      pool
        .request({
          path: options.path,
          method: "GET",
          // The absolute deadline travels with the request, so a server that reads it can drop what is already too late.
          headers: { "x-request-deadline": String(Date.now() + options.deadlineMs) },
          signal: AbortSignal.timeout(options.deadlineMs),
        })
        .then(async (response) => {
          await response.body.dump();
          record.latencyMs = performance.now() - t0;
          record.status = record.latencyMs <= options.deadlineMs ? response.statusCode : 0;
        })
        .catch(() => {
          record.latencyMs = Math.min(options.deadlineMs, performance.now() - t0);
          record.status = 0;
        }),
    );
  };
  for (;;) {
    const now = performance.now() - started;
    if (now >= options.durationMs) break;
    while (next <= now && next < options.durationMs) {
      fire(next);
      next += (-Math.log(1 - random.next()) / options.rate) * 1000;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  if (!options.pool) await pool.close();
  return records;
}

/** A closed loop of `concurrency` workers for `durationMs`: returns completed requests per second. */
export async function closedLoop(
  origin: string,
  path: string,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const deadline = performance.now() + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const response = await pool.request({ path, method: "GET" });
        await response.body.dump();
        if (response.statusCode === 200) done++;
      }
    }),
  );
  await pool.close();
  return done / (durationMs / 1000);
}

/** Probes `path` every `intervalMs`: the fraction answered with 2xx within `withinMs`. */
export async function probeLoop(
  origin: string,
  path: string,
  intervalMs: number,
  withinMs: number,
  until: () => boolean,
): Promise<number> {
  const pool = new Pool(origin, { connections: 4, pipelining: 1 });
  const results: Promise<boolean>[] = [];
  while (!until()) {
    const t0 = performance.now();
    results.push(
      pool
        .request({ path, method: "GET", signal: AbortSignal.timeout(1000) })
        .then(async (r) => {
          await r.body.dump();
          return r.statusCode < 300 && performance.now() - t0 <= withinMs;
        })
        .catch(() => false),
    );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const answered = await Promise.all(results);
  await pool.close();
  return answered.length === 0 ? 1 : answered.filter(Boolean).length / answered.length;
}
