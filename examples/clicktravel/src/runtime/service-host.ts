import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Clock, isNinesError, systemClock } from "@nines/core";
import {
  adaptiveGate,
  createGuard,
  Gradient2Limit,
  type Guard,
  guardHttpServer,
  type HealthCheckOptions,
  readBody,
} from "@nines/guard";
import type { CircuitBreaker, RetryBudget } from "@nines/resilience";
import { type CapacityPlan, capacityPlan, WorkerSlots } from "./capacity.js";
import type { ServiceConfig } from "./config.js";
import { ClickTravelError } from "./errors.js";
import { log } from "./log.js";
import { type Reply, type RequestContext, type Route, Router } from "./router.js";

/**
 * What a service is made of: its routes, the readiness checks of its own
 * dependencies, what to do before it reports started (schema, seed data)
 * and at the end of a drain (close pools), and the breakers and budgets
 * its metrics should show.
 *
 * @example
 * await startService({ config, routes, readiness: [{ name: "db", check: () => db.ping() }], start: () => migrate() });
 */
export interface ServiceDefinition {
  config: ServiceConfig;
  routes: readonly Route[];
  readiness?: HealthCheckOptions[];
  start?: () => Promise<void>;
  cleanup?: { name: string; run: () => Promise<void> | void }[];
  breakers?: Record<string, CircuitBreaker>;
  budgets?: Record<string, RetryBudget>;
  /**
   * How many requests per worker slot the admission control lets in at
   * most (default 2): a request waiting on I/O holds no slot, so a service
   * that calls others (web) or a database server (orders) needs more in
   * flight than it has slots.
   */
  inflightPerSlot?: number;
  clock?: Clock;
}

/**
 * A service that listens: its address, its guard (health, admission,
 * metrics, drain) and its capacity plan.
 *
 * @example
 * const running = await startService(definition);
 * console.log(running.url); // http://127.0.0.1:8080
 */
export interface RunningService {
  url: string;
  port: number;
  guard: Guard;
  server: Server;
  plan: CapacityPlan;
}

/** What service, slot wait and queue wait may add up to, at most, for an admitted request (ms). */
export const LATENCY_BUDGET_MS = 300;
/** Largest JSON body a route reads. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** The header a caller sets to its absolute deadline (epoch ms): requests whose client gave up are dropped unserved. */
export const DEADLINE_HEADER = "x-request-deadline";

/**
 * The admission control every instance runs, tuned to its capacity plan
 * (README "Capacity" has the measurements behind each choice):
 * `adaptiveGate` with a Gradient2 concurrency limit between the number of
 * worker slots and `inflightPerSlot` times it (below the slots, capacity
 * would go unused; far above them, requests would wait in the workers'
 * queue, where CoDel cannot see or cut them), a CoDel queue whose waits
 * scale with the service time (2 service times when a queue stands, 4
 * otherwise: shorter waits shed more than the overload), newest first
 * once a queue stands, the load signals, and the query-of-death
 * quarantine keyed by method and path, journaled in `NINES_STATE_DIR` so
 * that a request that crashes the process is recognised after the restart.
 *
 * @example
 * const gate = admissionFor(config, capacityPlan(40), 2, systemClock);
 */
export function admissionFor(config: ServiceConfig, plan: CapacityPlan, inflightPerSlot: number, clock: Clock) {
  const journalPath = config.stateDir ? join(config.stateDir, `${config.instance}.qod-journal`) : undefined;
  return adaptiveGate({
    limit: new Gradient2Limit({
      initialLimit: plan.slots,
      minLimit: plan.slots,
      maxLimit: Math.ceil(plan.slots * inflightPerSlot),
    }),
    maxQueue: 1000,
    codel: queueTimeouts(plan, inflightPerSlot),
    quarantine: {
      ...(journalPath === undefined ? {} : { journalPath }),
      log: (line) => log(config.service, "quarantine", { line }),
    },
    fingerprint: (request) => `${request.method} ${request.path}`,
    clock,
  });
}

/**
 * How long a request may wait in the admission queue. A request admitted
 * at the limit waits at most `(inflightPerSlot - 1)` service times for a
 * slot, then a service time in it; the queue wait comes on top, so it
 * gets what is left of a 300 ms budget (60% of the 500 ms objective; the
 * rest is for late timers, the network and the caller), and at most 4
 * service times, which keeps the workers busy through the gaps between
 * random arrivals. Without a standing queue a request may wait one more
 * service time.
 *
 * @example
 * queueTimeouts(capacityPlan(20), 2); // { targetMs: 200, intervalMs: 250 }
 */
export function queueTimeouts(plan: CapacityPlan, inflightPerSlot: number): { targetMs: number; intervalMs: number } {
  const st = plan.serviceTimeMs;
  const targetMs = Math.max(20, Math.min(4 * st, LATENCY_BUDGET_MS - inflightPerSlot * st));
  return { targetMs, intervalMs: Math.max(100, targetMs + st) };
}

/**
 * Starts one instance: a guarded `node:http` server whose handlers each
 * hold a worker slot for the service time before doing their work, health
 * endpoints (`/livez`, `/readyz` with the given checks, `/startupz`),
 * `/metrics`, and a graceful drain on SIGTERM. It listens first (probes
 * answer "starting" meanwhile), then runs `start`, then reports started.
 *
 * @example
 * const running = await startService({ config, routes });
 * log("web", "listening", { url: running.url });
 */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const { config } = definition;
  const clock = definition.clock ?? systemClock;
  const plan = capacityPlan(config.capacity);
  const workers = new WorkerSlots(plan, { clock });
  const router = new Router(definition.routes);
  const guard = createGuard({
    clock,
    startup: "manual",
    readiness: definition.readiness ?? [],
    gate: admissionFor(config, plan, definition.inflightPerSlot ?? 2, clock),
    drain: config.drain,
    deadlineOf: (request) => {
      const deadlineAt = Number(request.header(DEADLINE_HEADER));
      return Number.isFinite(deadlineAt) && deadlineAt > 0 ? deadlineAt : undefined;
    },
  });
  guard.on("handlerError", ({ error, route }) =>
    log(config.service, "handlerError", { route, error: error instanceof Error ? error.message : String(error) }),
  );
  for (const [name, breaker] of Object.entries(definition.breakers ?? {})) guard.metrics.observeBreaker(name, breaker);
  for (const [name, budget] of Object.entries(definition.budgets ?? {})) guard.metrics.observeBudget(name, budget);
  for (const hook of definition.cleanup ?? []) guard.onCleanup(hook.name, hook.run);

  const server = guardHttpServer((req, res) => handle(req, res, router, workers), guard, {
    routeBefore: (req) => router.templateOf(req.method, req.url),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${host}:${port}`;
  await definition.start?.();
  guard.markStarted();
  return { url, port, guard, server, plan };
}

async function handle(req: IncomingMessage, res: ServerResponse, router: Router, workers: WorkerSlots) {
  const gone = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://localhost");
  let reply: Reply;
  try {
    await workers.serve(gone.signal);
    const matched = router.match(method, url.pathname);
    if (matched === undefined) {
      throw new ClickTravelError("notFound", `no route ${method} ${url.pathname}`, {
        hint: "see the API routes in examples/clicktravel/README.md",
      });
    }
    const request: RequestContext = {
      method,
      path: url.pathname,
      params: matched.params,
      query: url.searchParams,
      headers: req.headers,
      body: () => jsonBody(req),
      signal: gone.signal,
    };
    reply = await matched.route.handler(request);
  } catch (error) {
    if (gone.signal.aborted) return; // the client left: nobody to answer
    if (!(error instanceof ClickTravelError)) throw error; // a bug: the guard answers 500 and counts a strike
    reply = {
      status: error.status,
      json: { error: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    };
  }
  send(res, reply);
}

function send(res: ServerResponse, reply: Reply): void {
  const html = reply.html !== undefined;
  const body = html ? (reply.html as string) : JSON.stringify(reply.json ?? {});
  res.writeHead(reply.status ?? 200, {
    "content-type": html ? "text/html; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...reply.headers,
  });
  res.end(body);
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw: Buffer;
  try {
    raw = await readBody(req, { limitBytes: BODY_LIMIT_BYTES });
  } catch (error) {
    if (isNinesError(error)) throw new ClickTravelError("badRequest", error.message, { cause: error });
    throw error;
  }
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ClickTravelError("badRequest", "the request body must be a JSON object", {
    hint: 'send content-type application/json with a body such as {"tripId":"rome-1"}',
  });
}
