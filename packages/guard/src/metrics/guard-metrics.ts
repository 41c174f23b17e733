import { setImmediate as nextTurn } from "node:timers/promises";
import { requireKnownOptions, requireOption } from "@nines/core";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { GateSnapshot, RequestOutcomeKind } from "../admission-gate.js";
import type { Health } from "../health/health.js";
import type { BreakerSource } from "../health/health-check.js";
import { type PromClientMetric, RequestSeries } from "./request-series.js";

/**
 * A retry budget as the guard reads it: its balance and, optionally, its
 * `exhausted` events (`@nines/resilience`'s `RetryBudget` fits).
 *
 * @example
 * guard.metrics.observeBudget("payments", paymentsRetryBudget);
 */
export interface BudgetSource {
  readonly balance: number;
  on?(type: "exhausted", listener: (event: { balance: number }) => void): unknown;
}

/** Options of {@link GuardMetrics}. */
export interface GuardMetricsOptions {
  /** Distinct `route` label values kept; later routes are counted as `other` (default 100). */
  maxRoutes?: number;
  /** Latency histogram buckets in seconds. */
  buckets?: number[];
  /** Also collect prom-client's process metrics (CPU, memory, event-loop lag, GC) in this registry (default false). */
  processMetrics?: boolean;
}

/** The label given to routes beyond `maxRoutes`. */
export const OTHER_ROUTE = "other";
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);
const BREAKER_STATES = ["closed", "open", "halfOpen", "isolated"];
const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const REQUESTS_HELP =
  "HTTP requests by route, method and outcome (success, client_error, server_error, shed, quarantined, timed_out).";
const DURATION_HELP = "Time from arrival to the end of the response, by route, method and outcome.";

/**
 * The guard's clear-box metrics in a registry of its own (never the global
 * one, so two guards or a host app's metrics never collide). Request counts
 * and latency are recorded on the hot path through cached label children;
 * gate, breaker and budget gauges are read at scrape time. The scrape
 * yields to the event loop between metrics, so a big registry cannot stall
 * requests for long.
 *
 * @example
 * const metrics = new GuardMetrics({ maxRoutes: 50 }, health, () => gate.snapshot());
 * metrics.record("/users/:id", "GET", "success", 4.2);
 * const { contentType, body } = await metrics.scrape();
 */
export class GuardMetrics {
  readonly registry = new Registry();
  readonly maxRoutes: number;
  readonly #requests: RequestSeries;
  readonly #clientErrors: Counter<"reason">;
  readonly #breakerTransitions: Counter<"breaker" | "to">;
  readonly #budgetExhausted: Counter<"budget">;
  readonly #routes = new Set<string>();
  readonly #breakers = new Map<string, BreakerSource>();
  readonly #budgets = new Map<string, BudgetSource>();
  #scraping: Promise<string> | undefined;

  constructor(options: GuardMetricsOptions, health: Health, gate: () => GateSnapshot) {
    requireOption(typeof options === "object" && options !== null, "guard metrics", "options", options, "an object");
    requireKnownOptions("guard metrics", options, ["maxRoutes", "buckets", "processMetrics"]);
    this.maxRoutes = options.maxRoutes ?? 100;
    requireOption(
      Number.isInteger(this.maxRoutes) && this.maxRoutes >= 1,
      "guard metrics",
      "maxRoutes",
      this.maxRoutes,
      "an integer >= 1",
    );
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    requireOption(
      Array.isArray(buckets) &&
        buckets.length > 0 &&
        buckets.every((b, i) => b > 0 && (i === 0 || b > (buckets[i - 1] as number))),
      "guard metrics",
      "buckets",
      buckets,
      "increasing numbers of seconds > 0",
    );
    const registers = [this.registry];
    this.#requests = new RequestSeries("nines_http_requests_total", "nines_http_request_duration_seconds", buckets);
    for (const metric of this.#requests.metricObjects(REQUESTS_HELP, DURATION_HELP))
      this.registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
    this.#clientErrors = new Counter({
      name: "nines_http_bad_requests_total",
      help: "Connections refused before a request could be parsed (malformed, headers too large, too slow).",
      labelNames: ["reason"],
      registers,
    });
    new Gauge({
      name: "nines_http_requests_in_flight",
      help: "Admitted requests not yet answered.",
      registers,
      collect() {
        this.set(gate().inflight);
      },
    });
    new Gauge({
      name: "nines_admission_queue_length",
      help: "Requests waiting for admission.",
      registers,
      collect() {
        this.set(gate().queueLength);
      },
    });
    new Gauge({
      name: "nines_admission_concurrency_limit",
      help: "The admission gate's concurrency limit (+Inf when unlimited).",
      registers,
      collect() {
        this.set(gate().limit);
      },
    });
    const ready = new Gauge({
      name: "nines_health_ready",
      help: "1 while the last readiness answer passed (ready or degraded), else 0.",
      registers,
    });
    ready.set(health.started ? 1 : 0);
    health.on("readinessChange", (e) => ready.set(e.ready ? 1 : 0));
    new Gauge({
      name: "nines_health_draining",
      help: "1 once the instance is draining.",
      registers,
      collect() {
        this.set(health.draining ? 1 : 0);
      },
    });
    new Gauge({
      name: "nines_health_started",
      help: "1 once startup is done.",
      registers,
      collect() {
        this.set(health.started ? 1 : 0);
      },
    });
    const checkUp = new Gauge({
      name: "nines_health_check_up",
      help: "1 while a health check is up (after hysteresis), else 0.",
      labelNames: ["probe", "check", "critical"],
      registers,
    });
    const checkSeconds = new Gauge({
      name: "nines_health_check_duration_seconds",
      help: "Duration of the last run of a health check.",
      labelNames: ["check"],
      registers,
    });
    const checkRuns = new Counter({
      name: "nines_health_check_runs_total",
      help: "Runs of a health check function by result (pass, fail, timeout); cached answers are not counted.",
      labelNames: ["check", "result"],
      registers,
    });
    const probeOf = new Map<string, string>();
    for (const c of health.readinessChecks) probeOf.set(c.name, "readiness");
    for (const c of health.livenessChecks) probeOf.set(c.name, "liveness");
    health.on("checkRun", (e) => {
      checkUp.set(
        { probe: probeOf.get(e.name) ?? "readiness", check: e.name, critical: String(e.critical) },
        e.status === "up" ? 1 : 0,
      );
      checkSeconds.set({ check: e.name }, e.run.latencyMs / 1000);
      checkRuns.inc({ check: e.name, result: e.run.ok ? "pass" : e.run.timedOut ? "timeout" : "fail" });
    });
    const breakers = this.#breakers;
    new Gauge({
      name: "nines_circuit_breaker_state",
      help: "1 for the state each circuit breaker is in now (closed, open, halfOpen, isolated).",
      labelNames: ["breaker", "state"],
      registers,
      collect() {
        for (const [name, breaker] of breakers) {
          const now = String(breaker.state);
          for (const state of BREAKER_STATES) this.set({ breaker: name, state }, state === now ? 1 : 0);
          if (!BREAKER_STATES.includes(now)) this.set({ breaker: name, state: now }, 1);
        }
      },
    });
    this.#breakerTransitions = new Counter({
      name: "nines_circuit_breaker_transitions_total",
      help: "Circuit breaker state changes by target state.",
      labelNames: ["breaker", "to"],
      registers,
    });
    const budgets = this.#budgets;
    new Gauge({
      name: "nines_retry_budget_balance",
      help: "Retries each retry budget allows now.",
      labelNames: ["budget"],
      registers,
      collect() {
        for (const [name, budget] of budgets) this.set({ budget: name }, budget.balance);
      },
    });
    this.#budgetExhausted = new Counter({
      name: "nines_retry_budget_exhausted_total",
      help: "Retries refused because the budget was spent.",
      labelNames: ["budget"],
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The `route` label for a route: itself for the first `maxRoutes` distinct routes, then `other`. */
  routeLabel(route: string): string {
    if (this.#routes.has(route)) return route;
    if (this.#routes.size >= this.maxRoutes) return OTHER_ROUTE;
    this.#routes.add(route);
    return route;
  }

  /** Counts one finished request. */
  record(route: string, method: string, outcome: RequestOutcomeKind, latencyMs: number): void {
    this.#requests.record(this.routeLabel(route), METHODS.has(method) ? method : "OTHER", outcome, latencyMs / 1000);
  }

  /** Counts a connection refused before parsing (`malformed`, `headers_too_large`, `timeout`, ...). */
  recordBadRequest(reason: string): void {
    this.#clientErrors.inc({ reason });
  }

  /**
   * Reports a circuit breaker's state (read at scrape time) and counts its transitions.
   *
   * @example
   * guard.metrics.observeBreaker("payments", paymentsBreaker);
   */
  observeBreaker(name: string, breaker: BreakerSource): void {
    requireOption(!this.#breakers.has(name), "guard metrics", "breaker name", name, "unique");
    this.#breakers.set(name, breaker);
    breaker.on?.("stateChange", (e) => this.#breakerTransitions.inc({ breaker: name, to: String(e.to) }));
  }

  /**
   * Reports a retry budget's balance (read at scrape time) and counts refusals.
   *
   * @example
   * guard.metrics.observeBudget("payments", paymentsBudget);
   */
  observeBudget(name: string, budget: BudgetSource): void {
    requireOption(!this.#budgets.has(name), "guard metrics", "budget name", name, "unique");
    this.#budgets.set(name, budget);
    budget.on?.("exhausted", () => this.#budgetExhausted.inc({ budget: name }));
  }

  /** The Prometheus text format; concurrent scrapes share one rendering. */
  scrape(): Promise<{ contentType: string; body: string }> {
    this.#scraping ??= this.#render().finally(() => {
      this.#scraping = undefined;
    });
    return this.#scraping.then((body) => ({ contentType: this.registry.contentType, body }));
  }

  async #render(): Promise<string> {
    const parts: string[] = [];
    for (const metric of this.registry.getMetricsAsArray()) {
      const own = (metric as unknown as Partial<PromClientMetric>).__guardRender;
      parts.push(own ? await own() : await this.registry.getSingleMetricAsString(metric.name));
      // One metric at a time, then let requests run.
      await nextTurn();
    }
    return `${parts.join("\n")}\n`;
  }
}
