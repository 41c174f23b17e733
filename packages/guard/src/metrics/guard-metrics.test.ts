import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { circuitBreaker, retryBudget } from "@nines/resilience";
import type { RequestOutcomeKind } from "../admission-gate.js";
import { passThroughGate } from "../gates/pass-through-gate.js";
import { Health } from "../health/health.js";
import { GuardMetrics, OTHER_ROUTE } from "./guard-metrics.js";

function build(options: ConstructorParameters<typeof GuardMetrics>[0] = {}) {
  const clock = new ManualClock();
  const health = new Health({ readiness: [{ name: "db", check: () => true }], clock });
  const gate = passThroughGate();
  return { metrics: new GuardMetrics(options, health, () => gate.snapshot()), health, clock, gate };
}

function sample(body: string, name: string, labels: string): number | undefined {
  const line = body
    .split("\n")
    .find((l) => l.startsWith(`${name}{${labels}}`) || (labels === "" && l.startsWith(`${name} `)));
  if (line === undefined) return undefined;
  const value = line.slice(line.lastIndexOf(" ") + 1);
  return value === "+Inf" ? Number.POSITIVE_INFINITY : Number(value);
}

describe("GuardMetrics", () => {
  it("counts requests by route, method and outcome, with latency in seconds", async () => {
    const { metrics } = build();
    metrics.record("/users/:id", "GET", "success", 12);
    metrics.record("/users/:id", "GET", "success", 30);
    metrics.record("/users/:id", "BREW", "server_error", 5);
    const { body, contentType } = await metrics.scrape();
    assert.match(contentType, /text\/plain/);
    assert.equal(sample(body, "nines_http_requests_total", 'route="/users/:id",method="GET",outcome="success"'), 2);
    assert.equal(
      sample(body, "nines_http_requests_total", 'route="/users/:id",method="OTHER",outcome="server_error"'),
      1,
    );
    const sum = sample(
      body,
      "nines_http_request_duration_seconds_sum",
      'route="/users/:id",method="GET",outcome="success"',
    );
    assert.ok(Math.abs((sum ?? 0) - 0.042) < 1e-9, `sum ${sum}`);
    assert.equal(
      sample(
        body,
        "nines_http_request_duration_seconds_bucket",
        'le="0.025",route="/users/:id",method="GET",outcome="success"',
      ),
      1,
    );
    assert.equal(sample(body, "nines_admission_concurrency_limit", ""), Number.POSITIVE_INFINITY);
  });

  it("caps route cardinality: routes beyond maxRoutes are counted as other", async () => {
    const { metrics } = build({ maxRoutes: 3 });
    for (let i = 0; i < 10; i++) metrics.record(`/r${i}`, "GET", "success", 1);
    metrics.record("/r0", "GET", "success", 1);
    const { body } = await metrics.scrape();
    const routes = new Set([...body.matchAll(/nines_http_requests_total\{route="([^"]+)"/g)].map((m) => m[1]));
    assert.deepEqual([...routes].sort(), ["/r0", "/r1", "/r2", OTHER_ROUTE]);
    const json = await metrics.registry.getMetricsAsJSON();
    const total = json.find((m) => m.name === "nines_http_requests_total");
    assert.equal(total?.values.length, 4, "the registry itself sees the request series too");
    assert.equal(sample(body, "nines_http_requests_total", 'route="other",method="GET",outcome="success"'), 7);
    assert.equal(sample(body, "nines_http_requests_total", 'route="/r0",method="GET",outcome="success"'), 2);
  });

  it("reports breaker state and transitions, budget balance and refusals, and health check results", async () => {
    const { metrics, health, clock } = build();
    const breaker = circuitBreaker({ name: "payments", window: { kind: "consecutive", failureThreshold: 2 }, clock });
    const budget = retryBudget({ ratio: 0.5, minRetriesPerSecond: 0, clock });
    metrics.observeBreaker("payments", breaker);
    metrics.observeBudget("payments", budget);
    breaker.isolate();
    budget.recordRequest();
    assert.equal(budget.tryRetry(), false);
    await health.readiness();
    const { body } = await metrics.scrape();
    assert.equal(sample(body, "nines_circuit_breaker_state", 'breaker="payments",state="isolated"'), 1);
    assert.equal(sample(body, "nines_circuit_breaker_state", 'breaker="payments",state="closed"'), 0);
    assert.equal(sample(body, "nines_circuit_breaker_transitions_total", 'breaker="payments",to="isolated"'), 1);
    assert.equal(sample(body, "nines_retry_budget_balance", 'budget="payments"'), 0);
    assert.equal(sample(body, "nines_retry_budget_exhausted_total", 'budget="payments"'), 1);
    assert.equal(sample(body, "nines_health_check_up", 'probe="readiness",check="db",critical="true"'), 1);
    assert.equal(sample(body, "nines_health_check_runs_total", 'check="db",result="pass"'), 1);
    assert.equal(sample(body, "nines_health_ready", ""), 1);
    assert.throws(() => metrics.observeBreaker("payments", breaker), /unique/);
  });

  it("scrapes a registry at the cardinality cap without blocking the event loop for long", async () => {
    const { metrics } = build({ maxRoutes: 100 });
    const outcomes: RequestOutcomeKind[] = [
      "success",
      "client_error",
      "server_error",
      "shed",
      "quarantined",
      "timed_out",
    ];
    for (let r = 0; r < 100; r++)
      for (const method of ["GET", "POST", "PUT", "DELETE"])
        for (const o of outcomes) metrics.record(`/route/${r}`, method, o, r);
    // The longest stretch the loop could not turn, in CPU time of this process (on a shared
    // machine, wall-time gaps also include time the OS gave to other processes).
    let longest = 0;
    let longestWall = 0;
    let lastWall = performance.now();
    let lastCpu = process.cpuUsage();
    let ticking = true;
    const tick = () => {
      const wall = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      longestWall = Math.max(longestWall, wall - lastWall);
      longest = Math.max(longest, Math.min(wall - lastWall, (cpu.user + cpu.system) / 1000));
      lastWall = wall;
      lastCpu = process.cpuUsage();
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const started = performance.now();
    const { body } = await metrics.scrape();
    const total = performance.now() - started;
    ticking = false;
    const lines = body.split("\n").length;
    assert.ok(lines > 2400 * 15, `expected the full histogram, got ${lines} lines`);
    console.log(
      `# scrape of ${lines} lines: ${total.toFixed(1)} ms total, longest event-loop block ${longest.toFixed(1)} ms CPU (${longestWall.toFixed(1)} ms wall)`,
    );
    assert.ok(longest < 100, `event loop blocked ${longest.toFixed(1)} ms`);
  });
});
