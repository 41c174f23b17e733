import assert from "node:assert/strict";
import { test } from "node:test";
import type { ComponentResult, JourneyResult } from "../../result.js";
import { sortFindings } from "./findings.js";
import { objectiveRule } from "./objective-rule.js";

const journey = (availability: number, objective: number | null): JourneyResult => ({
  name: "checkout",
  availability,
  objective,
  downtimeMinutesPerYear: (1 - availability) * 525_960,
  downtimeMinutesPerMonth: (1 - availability) * 43_200,
  components: ["lb", "web"],
  zones: [],
  method: "exact",
});
const components = new Map<string, ComponentResult>([
  ["lb", { name: "lb", kind: "edge", availability: 0.9999, downtimeMinutesPerYear: 52.596 }],
  ["web", { name: "web", kind: "service", availability: 0.999, downtimeMinutesPerYear: 525.96 }],
]);

test("availability-objective fires only strictly below the objective", () => {
  assert.deepEqual(objectiveRule(journey(0.999, 0.999), components, new Set()), []);
  assert.deepEqual(objectiveRule(journey(0.9, null), components, new Set()), []);
  const [f] = objectiveRule(journey(0.9989, 0.999), components, new Set(["web"]));
  assert.equal(f?.severity, "error");
  assert.equal(f?.subject, "checkout");
  assert.match(
    f!.message,
    /99\.89% available .* below its objective 99\.9%: remove its single points of failure \(web\)/,
  );
  assert.match(f!.message, /web 99\.9%, lb 99\.99%/);
});

test("findings sort by severity, then rule, then subject", () => {
  const f = (rule: string, severity: string, subject: string) => ({ rule, severity, subject, message: "" }) as never;
  const sorted = sortFindings([
    f("no-autoscale", "info", "a"),
    f("spof", "warning", "b"),
    f("spof", "error", "b"),
    f("n-plus-2", "error", "z"),
    f("n-plus-2", "error", "a"),
  ]).map((x) => `${x.severity} ${x.rule} ${x.subject}`);
  assert.deepEqual(sorted, [
    "error n-plus-2 a",
    "error n-plus-2 z",
    "error spof b",
    "warning spof b",
    "info no-autoscale a",
  ]);
});
