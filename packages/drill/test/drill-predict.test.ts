import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { analyze, availabilityWithDown, fromSeconds, loadSpec } from "@nines/planner";
import { buildScenarios } from "../src/drill/build-scenarios.js";
import { objectiveFor } from "../src/drill/judge.js";
import { predictScenario } from "../src/drill/predict.js";
import { selectScenarios } from "../src/drill/run-drill.js";
import { DRILL_ERRORS } from "../src/errors.js";

const SPEC = new URL("../../../examples/clicktravel/nines.yaml", import.meta.url).pathname;

describe("drill predictions on ClickTravel, against the planner", () => {
  const spec = loadSpec(SPEC);
  const plan = analyze(spec, { asOf: "2026-11-29" });
  const scenarios = buildScenarios(spec, plan, { timeScale: 10, queryOfDeathService: "inventory" });
  const named = (name: string) => {
    const s = scenarios.find((x) => x.name === name);
    assert.ok(s, `${name} in ${scenarios.map((x) => x.name).join(", ")}`);
    return s;
  };

  it("has every kind, the spec's disasters among them with their objectives", () => {
    assert.deepEqual([...new Set(scenarios.map((s) => s.kind))].sort(), [
      "db-crash",
      "deletion",
      "dependency-fault",
      "instance-loss",
      "query-of-death",
      "region-loss",
      "retry-storm",
      "zone-loss",
    ]);
    const crash = named("db-crash-orders-db");
    assert.equal(crash.disaster?.scenario, "Orders database crashed");
    assert.deepEqual(objectiveFor(spec, crash), {
      successRatio: null,
      rpoMs: 0,
      rtoMs: 300_000,
      source: 'disaster "Orders database crashed"',
    });
    const objective = objectiveFor(spec, named("zone-loss-us-central1-a"));
    assert.deepEqual(objective, { successRatio: 0.9995, rpoMs: 0, rtoMs: null, source: "journeys" });
  });

  it("zone loss: the overload the zone-loss-overload rule finds, and availability with the zone down", () => {
    const zoneLoss = named("zone-loss-us-central1-a");
    const p = predictScenario(spec, plan, zoneLoss, { timeScale: 10 });
    const rule = plan.findings.find((f) => f.rule === "zone-loss-overload" && f.subject === "inventory");
    assert.equal(rule?.["ratio"], 1.125);
    assert.deepEqual(p.overload, [{ service: "inventory", ratio: rule?.["ratio"] }]);
    assert.equal(p.successRatio, 1 / 1.125);
    assert.deepEqual(p.degraded, ["analytics"], "analytics runs in that zone only and is optional");
    const down = availabilityWithDown(spec, { zones: ["us-central1-a"] });
    assert.equal(p.availability, Math.min(...down.journeys.map((j) => j.availability)));
    // The orders-db primary is in that zone: its synchronous replica takes over, RPO 0, RTO the failover.
    const crash = plan.durability
      ?.find((d) => d.store === "orders-db")
      ?.threats.find((t) => t.threat === "zone-outage");
    assert.equal(p.rpoMs, 0);
    assert.equal(p.rtoMs, fromSeconds(crash?.rto as number));
    assert.equal(p.mechanism, crash?.mechanism);
  });

  it("database crash and deletion: the mechanism, RPO and RTO of the DR analysis", () => {
    const crash = predictScenario(spec, plan, named("db-crash-orders-db"));
    assert.deepEqual([crash.mechanism, crash.rpoMs, crash.rtoMs], ["sync-replica", 0, 60_000]);
    const deletion = predictScenario(spec, plan, named("deletion-inventory-db"));
    const threat = plan.durability
      ?.find((d) => d.store === "inventory-db")
      ?.threats.find((t) => t.threat === "deletion");
    assert.equal(deletion.mechanism, threat?.mechanism);
    assert.equal(deletion.rpoMs, fromSeconds(threat?.rpo as number));
    assert.equal(deletion.rtoMs, fromSeconds(threat?.rto as number));
  });

  it("instance loss: spare capacity, nothing to wait for", () => {
    const s = named("instance-loss-inventory");
    assert.equal(s.target, "inventory-us-central1-a-0");
    const p = predictScenario(spec, plan, s, { timeScale: 10 });
    assert.deepEqual([p.mechanism, p.rtoMs, p.successRatio, p.overload], ["spare-capacity", 0, 1, []]);
  });

  it("dependency faults and the retry storm: what the callers' policies give", () => {
    const call = spec.services.find((x) => x.name === "web")?.calls.find((c) => c.target === "inventory");
    const attempts = (call?.retries ?? 0) + 1;
    const errors = predictScenario(spec, plan, named("dependency-errors-inventory"));
    // Half the attempts fail: the retries wanted (0.5 + 0.25 per request) are capped by the budget.
    const retries = Math.min(call?.budget ?? Number.POSITIVE_INFINITY, 0.5 + 0.25);
    assert.equal(errors.successRatio, Math.min(1 - 0.5 ** attempts, 0.5 * (1 + retries)));
    assert.equal(predictScenario(spec, plan, named("dependency-blackhole-inventory")).successRatio, 0);
    const storm = predictScenario(spec, plan, named("retry-storm-inventory"));
    const naive = predictScenario(spec, plan, named("retry-storm-inventory-naive"));
    // The spec's budget caps the retries; the naive callers have none.
    assert.equal(storm.amplification, call?.budget == null ? attempts : Math.min(attempts, 1 + call.budget));
    assert.equal(naive.amplification, attempts);
    assert.equal(named("retry-storm-inventory-naive").callers, "naive");
  });

  it("says how many retries in plain words: 1 retry gives, 2 retries give", () => {
    assert.match(predictScenario(spec, plan, named("dependency-errors-inventory")).basis, / 2 retries within .* give /);
    const once = structuredClone(spec);
    const call = once.services.find((x) => x.name === "web")?.calls.find((c) => c.target === "inventory");
    assert.ok(call);
    call.retries = 1;
    const basis = predictScenario(once, plan, named("dependency-errors-inventory")).basis;
    assert.match(basis, / 1 retry within .* gives /);
    assert.doesNotMatch(basis, /retries|give /);
  });

  it("selects by name or kind, and names the choices for an unknown one", () => {
    assert.deepEqual(
      selectScenarios(scenarios, ["zone-loss", "db-crash-orders-db"]).map((s) => s.name),
      ["db-crash-orders-db", "zone-loss-us-central1-a"],
    );
    assert.throws(
      () => selectScenarios(scenarios, ["zone-lost"]),
      (e) => isNinesError(e, DRILL_ERRORS.unknownName) && /zone-loss-us-central1-a/.test(e.hint ?? ""),
    );
  });
});
