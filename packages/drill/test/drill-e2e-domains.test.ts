// End to end on a reduced ClickTravel: the retry storm (with the spec's
// policies, then with naive callers), a zone loss and a region loss, one
// after the other on one system.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DrillResult } from "../src/drill/drill-result.js";
import { DrillFixture, measured } from "./drill-e2e-support.js";
import { eventually } from "./support.js";

describe("nines drill end to end: retry storm, zone loss, region loss", () => {
  const fixture = new DrillFixture();
  let results: DrillResult[] = [];
  const named = (name: string) => results.find((r) => r.scenario === name);

  before(async () => {
    await fixture.start();
    results = await fixture.drill(["retry-storm", "zone-loss", "region-loss"]);
  });
  after(() => fixture.stop());

  it("retry storm: naive callers send more attempts per request than the spec's policies", () => {
    const spec = measured(named("retry-storm-inventory"));
    const naive = measured(named("retry-storm-inventory-naive"));
    assert.ok(spec.amplification !== null && naive.amplification !== null);
    assert.ok(
      naive.amplification > spec.amplification,
      `naive ${naive.amplification} attempts per request, spec ${spec.amplification}`,
    );
    assert.ok(spec.recoveryAfterEndMs === null || spec.recoveryAfterEndMs >= 0);
  });

  it("zone loss: zone-a empties, web answers (degraded without analytics), and the zone comes back", async () => {
    const r = named("zone-loss-zone-a");
    const m = measured(r);
    const during = r?.series.filter(
      (s) => s.at >= (r.timeline?.faultAt ?? 0) + 1000 && s.at < (r.timeline?.faultEndAt ?? 0),
    );
    assert.ok(
      during?.length && during.every((s) => s.ready["zone-a"] === 0),
      JSON.stringify(during?.map((s) => s.ready)),
    );
    assert.ok((m.services.find((s) => s.service === "web")?.successRatio ?? 0) > 0, "web still answers");
    assert.ok((m.degradedRatio ?? 0) > 0, "answers without analytics, which ran in zone-a only");
    assert.deepEqual(r?.predicted.overload, [{ service: "inventory", ratio: 1.125 }]);
    assert.equal(m.goodput[0]?.service, "inventory");
    assert.ok(
      await eventually(() => fixture.system.instances().every((i) => i.state === "ready"), 30_000),
      "every instance of zone-a is back",
    );
  });

  it("region loss: r2's web instance goes, the others carry the journeys", () => {
    const r = named("region-loss-r2");
    const m = measured(r);
    assert.ok((m.fault.successRatio ?? 0) > 0);
    assert.equal(r?.predicted.overload.length, 0, "web has spare capacity without r2");
  });
});
