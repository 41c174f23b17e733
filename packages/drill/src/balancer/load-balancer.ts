import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import {
  type Clock,
  Events,
  type Random,
  requireKnownOptions,
  requireOption,
  systemClock,
  systemRandom,
  type Unsubscribe,
} from "@nines/core";
import { REJECTED_HEADER } from "@nines/resilience";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { Backend, type BackendSnapshot, type BackendSpec } from "./backend.js";
import { classifyUpstreamError } from "./classify-upstream-error.js";
import { type HealthCheckOptions, runHealthChecks } from "./health-checker.js";
import { readRequestBody, sendJson, toRequestHeaders, toResponseHeaders } from "./http-messages.js";
import { orderBackends } from "./order-backends.js";
import { type EjectReason, type FailureKind, OutlierDetector, type OutlierOptions } from "./outlier-detector.js";
import { type RecentStats, RecentWindow } from "./recent-window.js";

/** Options of {@link LoadBalancer}. */
export interface LoadBalancerOptions {
  /** The service behind it (in counters and errors). */
  service: string;
  backends: readonly BackendSpec[];
  healthCheck?: HealthCheckOptions;
  outlier?: OutlierOptions;
  /** Longest wait for an instance's answer (headers, then between body chunks); default 10000 ms. */
  timeoutMs?: number;
  /** Longest wait to connect to an instance; default 1000 ms. */
  connectTimeoutMs?: number;
  /** Instances tried per request (after a refusal or a failed connection); default 3. */
  maxAttempts?: number;
  /** Largest request body; default 1 MiB. */
  maxBodyBytes?: number;
  /** Window of the live counters; default 10000 ms. */
  windowMs?: number;
  clock?: Clock;
  random?: Random;
}

/** The balancer's events. */
export interface LoadBalancerEvents {
  health: { service: string; backend: string; zone: string; healthy: boolean; at: number };
  /** An instance taken out as an outlier until `ejectionEndsAt`, and why. */
  ejected: { service: string; backend: string; zone: string; reason: EjectReason; ejectionEndsAt: number; at: number };
}

/** A balancer's counters, for a live view. */
export interface LoadBalancerSnapshot {
  service: string;
  /** Requests received and answered, by status class; `noBackend` were answered 503 without an instance. */
  requests: number;
  answered: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  noBackend: number;
  /** Extra attempts on another instance (after a refusal or a failed connection). */
  retries: number;
  recent: RecentStats;
  backends: BackendSnapshot[];
}

/** The methods HTTP defines as idempotent (RFC 9110, 9.2.2): repeating one has the effect of sending it once. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/** The header by which a client says that a write is keyed, so that sending it again repeats nothing (IETF httpapi draft). */
const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

/**
 * An HTTP load balancer for one service's instances (undici pools),
 * zone-aware: a listener bound to a zone sends to that zone's instances
 * first and spills over to other zones when they are down, ejected or
 * refusing. Active health checks on the readiness path take instances out
 * and back; outlier ejection ({@link OutlierDetector}) takes out an
 * instance that cannot be reached several times in a row or fails far more
 * than its peers, for longer each time, but none when every instance fails
 * alike (a dependency's outage). A guard's refusal (503 with `x-nines-rejected`) is
 * overload, not failure: the request goes to another instance, the
 * refusing one is not ejected, and when every instance refuses the client
 * gets the 503 with its Retry-After. A failed connection is retried
 * elsewhere; a request that may have reached an instance is retried only
 * when idempotent: an idempotent method (GET, HEAD, OPTIONS, TRACE, PUT,
 * DELETE) or a request with an `Idempotency-Key` header (a keyed write),
 * so that an instance killed mid-request costs its callers nothing.
 *
 * @example
 * const lb = new LoadBalancer({ service: "inventory", backends: [
 *   { id: "inventory-a-0", zone: "us-central1-a", url: proxyA.url },
 *   { id: "inventory-b-0", zone: "us-central1-b", url: proxyB.url } ] });
 * const { url } = await lb.listen({ zone: "us-central1-a" }); // give this URL to the callers in zone a
 * lb.snapshot().backends.map((b) => [b.id, b.healthy]);
 * await lb.close();
 */
export class LoadBalancer {
  readonly service: string;
  readonly #options: LoadBalancerOptions;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #events = new Events<LoadBalancerEvents>();
  readonly #outliers: OutlierDetector;
  readonly #backends = new Map<string, { backend: Backend; checks: AbortController }>();
  readonly #servers: Server[] = [];
  readonly #recent: RecentWindow;
  readonly #answered = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
  #requests = 0;
  #noBackend = 0;
  #retries = 0;
  #closed = false;

  constructor(options: LoadBalancerOptions) {
    requireKnownOptions("LoadBalancer", options, [
      "service",
      "backends",
      "healthCheck",
      "outlier",
      "timeoutMs",
      "connectTimeoutMs",
      "maxAttempts",
      "maxBodyBytes",
      "windowMs",
      "clock",
      "random",
    ]);
    const maxAttempts = options.maxAttempts ?? 3;
    requireOption(
      Number.isInteger(maxAttempts) && maxAttempts >= 1,
      "LoadBalancer",
      "maxAttempts",
      maxAttempts,
      ">= 1",
    );
    requireOption((options.timeoutMs ?? 1) > 0, "LoadBalancer", "timeoutMs", options.timeoutMs, "> 0");
    this.service = options.service;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#outliers = new OutlierDetector({ ...options.outlier, clock: this.#clock });
    this.#recent = new RecentWindow(options.windowMs ?? 10_000);
    for (const spec of options.backends) this.addBackend(spec);
  }

  /** Subscribes to `health` changes and `ejected` backends. */
  on<K extends keyof LoadBalancerEvents>(type: K, listener: (event: LoadBalancerEvents[K]) => void): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /**
   * Listens on 127.0.0.1 (`port`, default a free one). Requests on this
   * listener prefer backends in `zone`; without a zone all are equal (a
   * front door).
   */
  async listen(options: { zone?: string; port?: number } = {}): Promise<{ url: string; port: number }> {
    if (this.#closed) throw new DrillError(DRILL_ERRORS.stopped, `load balancer for ${this.service} is closed`);
    const zone = options.zone ?? null;
    const server = createServer((req, res) => {
      this.#handle(req, res, zone).catch(() => {
        if (!res.headersSent) sendJson(res, 502, { error: DRILL_ERRORS.upstreamFailed });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    this.#servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, port };
  }

  /** Adds an instance (autoscaling, a new slot) and starts checking it. */
  addBackend(spec: BackendSpec): void {
    if (this.#backends.has(spec.id)) this.removeBackend(spec.id);
    const backend = new Backend(spec, this.#options.connectTimeoutMs ?? 1000);
    const checks = new AbortController();
    this.#backends.set(spec.id, { backend, checks });
    void runHealthChecks(spec.url, this.#options.healthCheck ?? {}, this.#clock, checks.signal, (healthy) => {
      backend.healthy = healthy;
      this.#events.emit("health", {
        service: this.service,
        backend: spec.id,
        zone: spec.zone,
        healthy,
        at: this.#clock.now(),
      });
    });
  }

  /** Removes an instance; requests in flight to it finish. */
  removeBackend(id: string): void {
    const entry = this.#backends.get(id);
    if (!entry) return;
    this.#backends.delete(id);
    this.#outliers.forget(id);
    entry.checks.abort();
    void entry.backend.pool.close().catch(() => {});
  }

  snapshot(): LoadBalancerSnapshot {
    return {
      service: this.service,
      requests: this.#requests,
      answered: { ...this.#answered },
      noBackend: this.#noBackend,
      retries: this.#retries,
      recent: this.#recent.stats(this.#clock.now()),
      backends: [...this.#backends.values()].map(({ backend }) =>
        backend.snapshot(this.#outliers.ejectionEndsAt(backend.spec.id)),
      ),
    };
  }

  /** Stops listening, ends open connections and the health checks. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#backends.keys()]) this.removeBackend(id);
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse, zone: string | null): Promise<void> {
    const startedAt = this.#clock.now();
    this.#requests++;
    const finish = (status: number) => {
      this.#answered[status >= 500 ? "5xx" : status >= 400 ? "4xx" : status >= 300 ? "3xx" : "2xx"]++;
      this.#recent.add(this.#clock.now(), this.#clock.now() - startedAt, status >= 500);
    };
    const body = await readRequestBody(req, this.#options.maxBodyBytes ?? 1 << 20);
    if (body === null) {
      finish(413);
      return sendJson(res, 413, { error: "request body too large" });
    }
    const abort = new AbortController();
    res.once("close", () => abort.abort());
    const method = req.method ?? "GET";
    const idempotent = IDEMPOTENT.has(method) || req.headers[IDEMPOTENCY_KEY_HEADER] !== undefined;
    const candidates = [...this.#backends.values()].map(({ backend }) => backend);
    const eligible = candidates.map((b) => ({
      b,
      id: b.spec.id,
      zone: b.spec.zone,
      inflight: b.inflight,
      eligible: b.healthy && !this.#outliers.isEjected(b.spec.id),
    }));
    let order = orderBackends(eligible, zone, this.#random).map((c) => c.b);
    if (order.length === 0) {
      // Panic routing (as Envoy does): with no instance healthy, health checks may be what is wrong; try them all.
      order = orderBackends(
        eligible.map((c) => ({ ...c, eligible: !this.#outliers.isEjected(c.id) })),
        zone,
        this.#random,
      ).map((c) => c.b);
    }
    const maxAttempts = this.#options.maxAttempts ?? 3;
    let refusal: { status: number; headers: Record<string, string | string[]>; body: Buffer } | undefined;
    let attempts = 0;
    for (const backend of order) {
      if (attempts >= maxAttempts || abort.signal.aborted) break;
      if (attempts > 0) this.#retries++;
      attempts++;
      backend.attempts++;
      backend.inflight++;
      try {
        const timeoutMs = this.#options.timeoutMs ?? 10_000;
        const response = await backend.pool.request({
          path: req.url ?? "/",
          method: method as "GET",
          headers: toRequestHeaders(req.headers),
          body: body.length > 0 ? body : null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: abort.signal,
        });
        const status = response.statusCode;
        backend.countStatus(status);
        if (status === 503 && response.headers[REJECTED_HEADER] !== undefined) {
          // Overload, not failure: try another instance, and keep the refusal for the client if all refuse.
          backend.refusals++;
          this.#outliers.recordRefusal(backend.spec.id);
          refusal = {
            status,
            headers: toResponseHeaders(response.headers),
            body: Buffer.from(await response.body.arrayBuffer()),
          };
          continue;
        }
        if (status >= 500) this.#failure(backend, "answer");
        else this.#outliers.recordSuccess(backend.spec.id);
        res.writeHead(status, toResponseHeaders(response.headers));
        await pipeline(response.body, res).catch(() => res.destroy());
        finish(status);
        return;
      } catch (error) {
        if (abort.signal.aborted) return;
        backend.errors++;
        const kind = classifyUpstreamError(error);
        this.#failure(backend, kind);
        if (kind === "connect" || idempotent) continue;
        const status = kind === "timeout" ? 504 : 502;
        finish(status);
        return sendJson(res, status, {
          error: kind === "timeout" ? DRILL_ERRORS.upstreamTimeout : DRILL_ERRORS.upstreamFailed,
          service: this.service,
          instance: backend.spec.id,
        });
      } finally {
        backend.inflight--;
      }
    }
    if (abort.signal.aborted) return;
    if (refusal) {
      finish(refusal.status);
      res.writeHead(refusal.status, refusal.headers);
      res.end(refusal.body);
      return;
    }
    this.#noBackend++;
    finish(503);
    sendJson(res, 503, {
      error: DRILL_ERRORS.noBackend,
      service: this.service,
      message: `no instance of ${this.service} could take the request (${attempts} tried of ${candidates.length})`,
    });
  }

  #failure(backend: Backend, kind: FailureKind): void {
    const peers = [...this.#backends.values()].map(({ backend: b }) => ({ id: b.spec.id, healthy: b.healthy }));
    const reason = this.#outliers.recordFailure(backend.spec.id, kind, peers);
    if (reason !== null) {
      backend.ejections++;
      const ejectionEndsAt = this.#outliers.ejectionEndsAt(backend.spec.id) ?? this.#clock.now();
      this.#events.emit("ejected", {
        service: this.service,
        backend: backend.spec.id,
        zone: backend.spec.zone,
        reason,
        ejectionEndsAt,
        at: this.#clock.now(),
      });
    }
  }
}
