// spec.md "Values": percentages, durations, rates and money, as the JSON shows them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { close, errorsOf, I, OK_SERVICE, plan, R, Z } from "./helpers.js";

const base = (objective: string) => `name: T
objectives: { availability: ${objective} }
platform: { regions: { r1: [a] } }
services:
  s: { zones: [a], instances: 1, capacity: 100, load: 50, ${OK_SERVICE} }
journeys:
  j: { entry: s }
`;

describe("contract: percentages", () => {
  for (const [written, fraction] of [
    ["99.95%", 0.9995],
    ["99.95", 0.9995],
    ["100", 1],
    ["1", 0.01],
    ["50%", 0.5],
  ] as const) {
    it(`${written} is ${fraction} in the JSON objective`, () => {
      close(plan(base(written)).journeys[0]!.objective!, fraction, 1e-15);
    });
  }

  it("a number below 1 (0.9995) is rejected with a hint to write 99.95%", () => {
    const [e, ...rest] = errorsOf(base("0.9995"));
    assert.equal(rest.length, 0);
    assert.equal(e!.file, "t.yaml");
    assert.equal(e!.line, 2);
    assert.equal(e!.column, 29); // the value's first character: "objectives: { availability: " is 28 characters
    assert.match(e!.hint, /99\.95%/);
  });

  it("a number above 100 is rejected", () => {
    assert.equal(errorsOf(base("101")).length, 1);
  });
});

const durationSpec = (rto: string) => `name: T
platform: { regions: { r1: [a, b] } }
services:
  s: { zones: [a, b], instances: 1, capacity: 100, load: 50, ${OK_SERVICE} }
disasters:
  - { service: s, scenario: x, kind: crash, rto: ${rto}, priority: low }
`;

describe("contract: durations (JSON gives seconds)", () => {
  for (const [written, seconds] of [
    ["0", 0],
    ["250ms", 0.25],
    ["30s", 30],
    ["5m", 300],
    ["1h", 3600],
    ["24h", 86_400],
    ["30d", 2_592_000], // 30 x 86,400
    ["45", 45], // a bare number is seconds
  ] as const) {
    it(`${written} = ${seconds} s`, () => {
      assert.equal(plan(durationSpec(written)).disasters[0]!.rto.objective, seconds);
    });
  }

  it("a bad duration is an error naming file, line and column", () => {
    const [e] = errorsOf(durationSpec("5 minutes"));
    assert.equal(e!.line, 6);
    assert.ok(e!.column > 1);
    assert.ok(e!.hint.length > 0);
  });
});

const moneySpec = (instance: string, downtime: string, storeCost: string) => `name: T
platform: { regions: { r1: [a] } }
services:
  s: { zones: [a], instances: 1, capacity: 100, load: 50, ${OK_SERVICE} }
stores:
  d: { engine: firestore, location: r1, cost: ${storeCost} }
journeys:
  j: { entry: s, availability: 90% }
costs: { currency: EUR, instance: ${instance}, downtime: ${downtime} }
`;

// One instance and a managed store: monthly = 1 x instance + store cost.
// The lowest journey: s alone, R x Z x I. downtimeCostPerYear = (1 - a) x 8,766 x per-hour.
const a = R * Z * I;

describe("contract: money (periods and bare-number defaults)", () => {
  const cases: [string, string, string, number, number][] = [
    // instance, downtime, store cost, expected monthly, expected downtime per hour
    ["50/month", "20000/hour", "600/month", 50 + 600, 20_000],
    ["50", "20000", "600", 50 + 600, 20_000], // bare: per month (instance, cost), per hour (downtime)
    ["1/hour", "480000/day", "7308/year", 730.5 + 609, 20_000], // month = 8,766 / 12 = 730.5 h; 480,000 / 24 = 20,000
    ["24/day", "175320000/year", "20/day", 730.5 + 608.75, 20_000], // 24 x 730.5 / 24; 175,320,000 / 8,766; 20 x 30.4375
  ];
  for (const [instance, downtime, cost, monthly, perHour] of cases) {
    it(`instance ${instance}, downtime ${downtime}, cost ${cost}`, () => {
      const result = plan(moneySpec(instance, downtime, cost));
      assert.equal(result.costs.currency, "EUR");
      const row = result.costs.alternatives.find((x) => x.name === "as-written")!;
      close(row.monthly, monthly, 1e-9);
      close(row.availability, a, 1e-15); // the journey holds s and nothing else (the store is not called)
      close(row.downtimeCostPerYear, (1 - row.availability) * 8766 * perHour, 1e-6);
    });
  }

  it("an unknown period is an error with the closest name", () => {
    const [e] = errorsOf(moneySpec("50/mnth", "1", "1"));
    assert.equal(e!.line, 9);
    assert.match(e!.hint, /month/);
  });
});
