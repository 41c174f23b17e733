import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePrometheusText, sumOf } from "./prometheus-text.js";

describe("parsePrometheusText", () => {
  it("reads samples, labels (escaped too) and special values; skips comments", () => {
    const text = [
      "# HELP nines_http_requests_total HTTP requests",
      "# TYPE nines_http_requests_total counter",
      'nines_http_requests_total{route="/api",method="GET",outcome="success"} 12',
      'nines_http_requests_total{route="/a\\"b",method="POST",outcome="shed"} 3',
      'nines_circuit_breaker_state{breaker="orders",state="open"} 1',
      "process_cpu_seconds_total 1.25",
      "nines_admission_concurrency_limit +Inf",
      "garbage line",
      "",
    ].join("\n");
    const samples = parsePrometheusText(text);
    assert.equal(samples.length, 5);
    assert.deepEqual(samples[1]?.labels, { route: '/a"b', method: "POST", outcome: "shed" });
    assert.equal(sumOf(samples, "nines_http_requests_total"), 15);
    assert.equal(sumOf(samples, "process_cpu_seconds_total"), 1.25);
    assert.equal(sumOf(samples, "nines_admission_concurrency_limit"), Number.POSITIVE_INFINITY);
    assert.equal(sumOf(samples, "absent_metric"), null);
  });
});
