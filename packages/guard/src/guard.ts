import type { Server } from "node:http";
import {
  type Clock,
  Events,
  type Listener,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import { type AdmissionGate, type AdmissionRejection, type RequestPriority, reject } from "./admission-gate.js";
import { type CleanupHook, Drainer, type DrainOptions, type DrainReport } from "./drain/drainer.js";
import { passThroughGate } from "./gates/pass-through-gate.js";
import { GuardRequest, type RequestHeaders, type RequestHost, type UnclassifiedRequest } from "./guard-request.js";
import { Health, type HealthOptions } from "./health/health.js";
import { hardenedServerOptions, hardenServer, type ServerHardeningOptions } from "./http/harden-server.js";
import { GuardMetrics, type GuardMetricsOptions } from "./metrics/guard-metrics.js";

/** The guard's own endpoints; `false` turns one off. */
export interface GuardPaths {
  liveness?: string | false;
  readiness?: string | false;
  startup?: string | false;
  metrics?: string | false;
}

/** Options of {@link createGuard}. */
export interface GuardOptions extends HealthOptions {
  /** Time source (default the system clock; tests pass a `ManualClock`). */
  clock?: Clock;
  /** Admission in front of the handlers (default `passThroughGate()`). */
  gate?: AdmissionGate;
  /** Endpoint paths (default `/livez`, `/readyz`, `/startupz`, `/metrics`). */
  paths?: GuardPaths;
  metrics?: GuardMetricsOptions;
  drain?: DrainOptions;
  /** Connection limits applied to every attached server. */
  server?: ServerHardeningOptions;
  /** A request whose `content-length` exceeds this is refused with 413 before it runs (default 1 MiB). */
  maxBodyBytes?: number;
  /** A response not started within this many ms is answered 503 and counted `timed_out` (default: off). */
  handlerTimeoutMs?: number;
  /** Priority of a request, for gates that shed by priority (default `normal`). */
  priorityOf?: (request: UnclassifiedRequest) => RequestPriority;
  /**
   * When the client stops waiting, as clock time in ms (gates drop requests
   * whose deadline passed), e.g. from a header the caller sets:
   * `(r) => { const ms = Number(r.header("x-request-timeout-ms")); return ms > 0 ? r.receivedAt + ms : undefined; }`.
   */
  deadlineOf?: (request: UnclassifiedRequest) => number | undefined;
}

const OPTION_KEYS = [
  "clock",
  "gate",
  "paths",
  "metrics",
  "drain",
  "server",
  "maxBodyBytes",
  "handlerTimeoutMs",
  "priorityOf",
  "deadlineOf",
  "readiness",
  "liveness",
  "startup",
] as const;

/** Which guard endpoint a path names. */
export type GuardEndpoint = "liveness" | "readiness" | "startup" | "metrics";

/** An answer from a guard endpoint, for adapters to write. */
export interface EndpointResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Where the guard is in its life. */
export type GuardPhase = "serving" | "draining" | "closing";

/** Events of {@link Guard}. */
export interface GuardEvents {
  /**
   * A handler threw or its promise rejected. The guard answered 500 (when
   * nothing was sent yet) and kept serving; log the error here: the library
   * never logs.
   */
  handlerError: { error: unknown; method: string; path: string; route: string };
}

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * One guard per service instance: health endpoints, the admission gate,
 * clear-box metrics and the graceful drain, shared by every adapter
 * (`guardHttpServer`, `fastifyGuard`, `expressGuard`). Build it with
 * {@link createGuard}; options are checked and frozen there.
 *
 * @example
 * const guard = createGuard({ readiness: [{ name: "db", check: () => db.ping() }] });
 * guard.attach(server);
 * await guard.drain("deploy");
 */
export class Guard {
  readonly clock: Clock;
  readonly gate: AdmissionGate;
  readonly health: Health;
  readonly metrics: GuardMetrics;
  readonly maxBodyBytes: number;
  readonly handlerTimeoutMs: number | undefined;
  readonly serverOptions: ServerHardeningOptions;
  readonly #events = new Events<GuardEvents>();
  readonly #drainer: Drainer;
  readonly #host: RequestHost;
  readonly #endpoints = new Map<string, GuardEndpoint>();
  readonly #servers = new Set<Server>();
  #phase: GuardPhase = "serving";
  #inflight = 0;
  #idle: (() => void)[] = [];

  constructor(options: GuardOptions = {}) {
    requireOption(typeof options === "object" && options !== null, "guard", "options", options, "an object");
    requireKnownOptions("guard", options, OPTION_KEYS);
    this.clock = options.clock ?? systemClock;
    this.gate = options.gate ?? passThroughGate();
    requireOption(typeof this.gate.admit === "function", "guard", "gate", this.gate, "an AdmissionGate");
    this.health = new Health({
      ...(options.readiness === undefined ? {} : { readiness: options.readiness }),
      ...(options.liveness === undefined ? {} : { liveness: options.liveness }),
      ...(options.startup === undefined ? {} : { startup: options.startup }),
      clock: this.clock,
    });
    this.metrics = new GuardMetrics(options.metrics ?? {}, this.health, () => this.gate.snapshot());
    this.#drainer = new Drainer(
      { ...options.drain, clock: this.clock },
      {
        markDraining: () => {
          this.#phase = "draining";
          this.health.markDraining();
        },
        stopAccepting: () => this.#stopAccepting(),
        inflight: () => this.#inflight,
        whenIdle: () => (this.#inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve))),
        closeAll: () => {
          for (const server of this.#servers) server.closeAllConnections();
        },
      },
    );
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    requireOption(this.maxBodyBytes >= 0, "guard", "maxBodyBytes", this.maxBodyBytes, ">= 0");
    this.handlerTimeoutMs = options.handlerTimeoutMs;
    requireOption(
      this.handlerTimeoutMs === undefined || this.handlerTimeoutMs > 0,
      "guard",
      "handlerTimeoutMs",
      this.handlerTimeoutMs,
      "> 0",
    );
    this.serverOptions = Object.freeze({ ...options.server });
    hardenedServerOptions(this.serverOptions); // validates now, not when a server is attached
    const paths: Required<GuardPaths> = {
      liveness: "/livez",
      readiness: "/readyz",
      startup: "/startupz",
      metrics: "/metrics",
      ...options.paths,
    };
    for (const [endpoint, path] of Object.entries(paths) as [GuardEndpoint, string | false][]) {
      if (path === false) continue;
      requireOption(
        typeof path === "string" && path.startsWith("/"),
        "guard",
        `paths.${endpoint}`,
        path,
        "a path starting with / (or false)",
      );
      requireOption(
        !this.#endpoints.has(path),
        "guard",
        `paths.${endpoint}`,
        path,
        "different from the other endpoints",
      );
      this.#endpoints.set(path, endpoint);
    }
    const draining: AdmissionRejection = reject("draining", this.#drainer.delayMs + this.#drainer.graceMs);
    this.#host = {
      clock: this.clock,
      priorityOf: options.priorityOf,
      deadlineOf: options.deadlineOf,
      admit: (request, signal) => (this.#phase === "closing" ? draining : this.gate.admit(request, signal)),
      failed: (request, error) => {
        if (this.#events.has("handlerError"))
          this.#events.emit("handlerError", {
            error,
            method: request.method,
            path: request.path,
            route: request.route,
          });
      },
      finished: (request, outcome, durationMs) => {
        this.metrics.record(request.route, request.method, outcome, durationMs);
        this.#ended();
      },
    };
  }

  /**
   * Subscribes to the guard's events (`handlerError`).
   *
   * @example
   * guard.on("handlerError", (e) => logger.error({ err: e.error, route: e.route }, "handler failed"));
   */
  on<K extends keyof GuardEvents>(type: K, listener: Listener<GuardEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  get phase(): GuardPhase {
    return this.#phase;
  }

  /** Requests the guard saw and has not seen end. */
  get inflight(): number {
    return this.#inflight;
  }

  /** The endpoint a GET/HEAD to `path` names, if any (health and metrics bypass the gate). */
  endpointFor(method: string | undefined, path: string): GuardEndpoint | undefined {
    if (this.#endpoints.size === 0 || (method !== "GET" && method !== "HEAD")) return undefined;
    return this.#endpoints.get(path);
  }

  /** Paths of the enabled endpoints (adapters that route explicitly register these). */
  endpointPaths(): [string, GuardEndpoint][] {
    return [...this.#endpoints];
  }

  /** Answers a guard endpoint. */
  async serveEndpoint(endpoint: GuardEndpoint): Promise<EndpointResponse> {
    if (endpoint === "metrics") {
      const { contentType, body } = await this.metrics.scrape();
      return { status: 200, contentType, body };
    }
    const report =
      endpoint === "liveness"
        ? await this.health.liveness()
        : endpoint === "readiness"
          ? await this.health.readiness()
          : this.health.startup();
    const { httpStatus, ...rest } = report;
    return { status: httpStatus, contentType: JSON_TYPE, body: JSON.stringify(rest) };
  }

  /** Starts following an application request; adapters call this once per request and end it once. */
  begin(method: string, path: string, route: string, headers: RequestHeaders): GuardRequest {
    this.#inflight++;
    return new GuardRequest(this.#host, method, path, route, headers);
  }

  /**
   * Hardens a server (timeouts, header limits, clear answers to bad
   * requests) and includes it in the drain. Adapters call this; with
   * Express, call it on the server `app.listen()` returns.
   *
   * @example
   * const server = app.listen(8080);
   * guard.attach(server);
   */
  attach(server: Server, options: { clientErrors?: boolean } = {}): void {
    if (this.#servers.has(server)) return;
    this.#servers.add(server);
    hardenServer(server, this.serverOptions, options.clientErrors === false ? undefined : this.metrics);
    if (this.#phase === "closing") server.close();
  }

  /** Initialisation is done: startup and readiness may pass. */
  markStarted(): void {
    this.health.markStarted();
  }

  /**
   * Runs after the last request during a drain, in registration order, each cut off at its limit.
   *
   * @example
   * guard.onCleanup("db", () => pool.end(), { timeoutMs: 3000 });
   */
  onCleanup(name: string, run: CleanupHook["run"], options: { timeoutMs?: number } = {}): void {
    this.#drainer.onCleanup({ name, run, ...options });
  }

  /**
   * Drains: readiness fails at once, the servers stop accepting after
   * `drain.delayMs`, in-flight requests get `drain.graceMs`, then cleanup
   * hooks run. Calling it again returns the same promise.
   *
   * @example
   * const report = await guard.drain("deploy");
   * if (!report.ok) console.error(report.hooks);
   */
  drain(reason?: string): Promise<DrainReport> {
    return this.#drainer.drain(reason);
  }

  #ended(): void {
    this.#inflight--;
    if (this.#inflight === 0 && this.#idle.length > 0) {
      const waiting = this.#idle;
      this.#idle = [];
      for (const resolve of waiting) resolve();
    }
    // Sockets that just finished their last response are idle now: close them.
    if (this.#phase === "closing") for (const server of this.#servers) server.closeIdleConnections();
  }

  #stopAccepting(): void {
    this.#phase = "closing";
    this.gate.close?.();
    for (const server of this.#servers) {
      server.close();
      server.closeIdleConnections();
    }
  }
}

/**
 * Builds a {@link Guard}, validating every option (a misspelt key is refused with the closest name).
 *
 * @example
 * const guard = createGuard({
 *   readiness: [{ name: "db", check: () => db.query("select 1"), timeoutMs: 500 }],
 *   gate: fixedLimitGate({ limit: 64 }),
 *   drain: { delayMs: 5000, graceMs: 20_000 },
 * });
 * const server = guardHttpServer((req, res) => res.end("hello"), guard);
 * server.listen(8080);
 */
export function createGuard(options: GuardOptions = {}): Guard {
  return new Guard(options);
}
