// Valid specs with extreme values that once hung or crashed `nines plan`:
// each must plan, with finite figures in [0, 1], in well under a second.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSpec, type ServiceInput } from "../../test/support/build-spec.js";
import { parseSpec } from "../spec/parse-spec.js";
import { analyze } from "./analyze.js";

function timed<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

function plan(text: string) {
  const parsed = parseSpec(text, "t.yaml");
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
  return timed(() => analyze(parsed.spec, { asOf: "2026-11-29" }));
}

const service = (fields: string) =>
  `name: T\nplatform: { regions: { r1: [a, b, c], r2: [d, e] } }\nservices:\n  web: { zones: [a, b, c], ${fields}, health: { check: /readyz, dependencies: true, autoheal: true } }\njourneys:\n  j: { entry: web }\ncosts: { instance: 1, downtime: 1 }\n`;

describe("analyze: extreme instance counts plan in time independent of the count", () => {
  const cases: [string, string][] = [
    ["a billion instances per zone", "instances: 1000000000, capacity: 100, load: 100"],
    ["a billion needed, at the mean of a billion instances", "instances: 335000000, capacity: 1, load: 999975000"],
    ["capacity 0.001 with a large load (variants sized to a billion)", "instances: 2, capacity: 0.001, load: 1000000"],
    ["a third of three billion instances needed", "instances: 1000000000, capacity: 1, load: 1000000000"],
  ];
  for (const [name, fields] of cases) {
    it(name, () => {
      const { ms, value: result } = plan(service(fields));
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
      for (const a of [
        ...result.journeys.map((j) => j.availability),
        ...result.components.map((c) => c.availability),
        ...result.costs.alternatives.map((c) => c.availability),
      ]) {
        assert.ok(a >= 0 && a <= 1 && Number.isFinite(a), String(a));
      }
      for (const row of result.costs.alternatives) assert.ok(Number.isFinite(row.monthly), row.name);
    });
  }

  it("the figures are still right: k = 1 of a billion is up whenever a zone is", () => {
    const { value } = plan(service("instances: 1000000000, capacity: 100, load: 100"));
    // P(at least one of three zones up, given the region) x R: the instances never fail together.
    const R = 0.9999;
    const Z = 0.999;
    const expected = R * (1 - (1 - Z) ** 3);
    assert.ok(Math.abs(value.journeys[0]!.availability - expected) < 1e-15);
  });
});

describe("analyze: the Monte Carlo sample count is bounded", () => {
  it("refuses at once a count that would sample for hours, and one too small to estimate", () => {
    const zones = Array.from({ length: 24 }, (_, i) => `z${i}`).join(", ");
    const parsed = parseSpec(
      `name: W\nplatform: { regions: { r1: [${zones}] } }\nservices:\n  web: { zones: [${zones}], instances: 1, capacity: 100, load: 1000 }\njourneys:\n  j: { entry: web }\n`,
      "t.yaml",
    );
    assert.ok(parsed.ok);
    for (const samples of [1e12, 10_000_001, 1]) {
      const { ms } = timed(() =>
        assert.throws(
          () => analyze(parsed.spec, { asOf: "2026-11-29", samples }),
          /analyze: option samples must be an integer from 2 to 10000000/,
        ),
      );
      assert.ok(ms < 1000, `${samples}: refused in ${ms} ms`);
    }
    assert.equal(analyze(parsed.spec, { asOf: "2026-11-29", samples: 1000 }).journeys[0]?.method, "monte-carlo");
  });
});

describe("analyze: a chain of 5,000 services", () => {
  it("plans without exhausting the stack (journey walk, retry rules, diagram order)", () => {
    const services: ServiceInput[] = Array.from({ length: 5000 }, (_, i) => ({
      name: `s${i}`,
      zones: ["a", "b"],
      instances: 2,
      capacity: 100,
      load: 100,
      calls:
        i + 1 < 5000 ? [{ target: `s${i + 1}`, retries: 1, backoff: "exponential", jitter: true, breaker: true }] : [],
    }));
    const spec = buildSpec({ regions: { r1: ["a", "b"] }, services, journeys: [{ name: "j", entry: "s0" }] });
    const { value: result } = timed(() => analyze(spec, { asOf: "2026-11-29" }));
    assert.equal(result.journeys[0]!.components.length, 5000);
    const amplification = result.findings.find((f) => f.rule === "retry-amplification");
    assert.equal(amplification?.severity, "error");
    assert.equal((amplification!.path as string[]).length, 5000);
  });
});

describe("analyze: availability stays in [0, 1]", () => {
  it("a journey that is never up is 0, not -2.2e-16 (a sum of probabilities a hair above 1)", () => {
    // Enumerated over four zones of one region at 90%: the unavailable mass sums to 1 + 2.2e-16.
    const spec = buildSpec({
      regions: { r1: ["a", "b", "c", "d"] },
      availability: { region: 0.9, zone: 0.9 },
      // k = 5 of 4 instances: never up.
      services: [
        { name: "web", zones: ["a", "b", "c", "d"], instances: 1, capacity: 1, load: 5, calls: [{ target: "db" }] },
      ],
      stores: [{ name: "db", zone: "a" }],
      journeys: [{ name: "j", entry: "web" }],
    });
    const result = analyze(spec, { asOf: "2026-11-29" });
    for (const a of [result.journeys[0]!.availability, ...result.components.map((c) => c.availability)]) {
      assert.ok(a >= 0 && a <= 1, String(a));
    }
    assert.equal(result.journeys[0]!.availability, 0);
    assert.equal(result.journeys[0]!.downtimeMinutesPerYear, 525_960);
  });
});
