import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type ServiceInput } from "../../../test/support/build-spec.js";
import { noAutoscale, nPlusTwo, zoneLossOverload } from "./capacity-rules.js";
import { healthRules } from "./health-rules.js";

const service = (s: Omit<ServiceInput, "name"> & { name?: string }) =>
  buildSpec({ regions: { r1: ["a", "b", "c"] }, services: [{ name: "svc", ...s }] }).services[0]!;

test("n-plus-2 (instances): (4 - 2) x 100 = 200 >= load 200 passes; load 201 fails", () => {
  assert.deepEqual(nPlusTwo(service({ zones: ["a", "b"], instances: 2, capacity: 100, load: 200 })), []);
  const [f] = nPlusTwo(service({ zones: ["a", "b"], instances: 2, capacity: 100, load: 201 }));
  assert.equal(f?.rule, "n-plus-2");
  assert.equal(f?.severity, "error");
  assert.equal(f?.subject, "svc");
  assert.equal(f?.remaining, 200);
  // needs ceil(201 / 100) + 2 = 5 instances: 3 per zone, one more than now.
  assert.match(f!.message, /add one instance per zone/);
});

test("n-plus-2 (instances): fewer than two instances leave nothing", () => {
  const [f] = nPlusTwo(service({ zones: ["a"], instances: 1, capacity: 100, load: 10 }));
  assert.equal(f?.remaining, 0);
  assert.match(f!.message, /run 3 instances per zone/);
});

test("n-plus-2 (zones): removes the two largest zones", () => {
  // 3 zones x 2 x 100: one zone (200) left.
  assert.deepEqual(
    nPlusTwo(service({ zones: ["a", "b", "c"], instances: 2, capacity: 100, load: 200, unit: "zone" })),
    [],
  );
  const [f] = nPlusTwo(service({ zones: ["a", "b", "c"], instances: 2, capacity: 100, load: 201, unit: "zone" }));
  assert.equal(f?.remaining, 200);
  assert.match(f!.message, /run 3 instances per zone/);
  const [two] = nPlusTwo(service({ zones: ["a", "b"], instances: 5, capacity: 100, load: 100, unit: "zone" }));
  assert.equal(two?.remaining, 0);
  assert.match(two!.message, /run it in 3 zones/);
});

test("zone-loss-overload: the two-server example, 1200 / 1000 = 1.2", () => {
  const [f] = zoneLossOverload(service({ zones: ["a", "b"], instances: 1, capacity: 1000, load: 1200 }));
  assert.equal(f?.rule, "zone-loss-overload");
  assert.equal(f?.severity, "error");
  assert.equal(f?.ratio, 1.2);
  assert.match(f!.message, /1200 req\/s \(load \/ remaining = 1\.2\)/);
  assert.match(f!.message, /add one instance per zone/);
});

test("zone-loss-overload: 900 / 800 = 1.125 and three decimals at most (1000 / 750 = 1.333)", () => {
  assert.equal(
    zoneLossOverload(service({ zones: ["a", "b"], instances: 2, capacity: 400, load: 900 }))[0]?.ratio,
    1.125,
  );
  const [f] = zoneLossOverload(service({ zones: ["a", "b"], instances: 1, capacity: 750, load: 1000 }));
  assert.equal(f?.ratio, 1.333);
  assert.match(f!.message, /= 1\.333\)/);
});

test("zone-loss-overload: equality passes; one zone is never checked", () => {
  assert.deepEqual(zoneLossOverload(service({ zones: ["a", "b"], instances: 1, capacity: 1000, load: 1000 })), []);
  assert.deepEqual(zoneLossOverload(service({ zones: ["a"], instances: 9, capacity: 1, load: 1000 })), []);
  // 3 zones x 1 x 500: losing one leaves 1000 for 1200 -> 1.2; run 2 per zone.
  const [f] = zoneLossOverload(service({ zones: ["a", "b", "c"], instances: 1, capacity: 500, load: 1200 }));
  assert.equal(f?.ratio, 1.2);
});

test("no-autoscale is an info finding only without autoscale", () => {
  assert.deepEqual(noAutoscale(service({ zones: ["a"] })), []);
  const [f] = noAutoscale(service({ zones: ["a"], autoscale: null }));
  assert.equal(f?.severity, "info");
  assert.equal(f?.rule, "no-autoscale");
});

test("health rules fire independently", () => {
  const calls = [{ target: "other" }];
  const rules = (health: { check: string | null; dependencies: boolean; autoheal: boolean }, withCalls = true) =>
    healthRules(service({ zones: ["a"], health, calls: withCalls ? calls : [] })).map((f) => `${f.rule}:${f.severity}`);
  assert.deepEqual(rules({ check: "/ready", dependencies: true, autoheal: true }), []);
  assert.deepEqual(rules({ check: null, dependencies: true, autoheal: true }), ["no-health-check:error"]);
  assert.deepEqual(rules({ check: "/ready", dependencies: false, autoheal: true }), ["shallow-health-check:warning"]);
  assert.deepEqual(rules({ check: "/ready", dependencies: false, autoheal: true }, false), []);
  assert.deepEqual(rules({ check: "/ready", dependencies: true, autoheal: false }), ["no-autoheal:warning"]);
  assert.deepEqual(rules({ check: null, dependencies: false, autoheal: false }), [
    "no-health-check:error",
    "shallow-health-check:warning",
    "no-autoheal:warning",
  ]);
  // Only required calls need a deep check.
  const optionalOnly = healthRules(
    service({
      zones: ["a"],
      health: { check: "/ready", dependencies: false, autoheal: true },
      calls: [{ target: "x", optional: true }],
    }),
  );
  assert.deepEqual(optionalOnly, []);
});
