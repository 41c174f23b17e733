import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clicktravelSpec } from "../../../test/support/clicktravel.js";
import { parseSpec } from "../../spec/parse-spec.js";
import { analyze } from "../analyze.js";
import { atLeast } from "./binomial.js";
import { availabilityWithDown } from "./with-down.js";

// Two regions: r1 with zones a and b, r2 with zone c. "front" runs 1
// instance in each of a, b, c and needs 2 (load 150, capacity 100).
const SPEC = `
name: Small
platform:
  regions: { r1: [a, b], r2: [c] }
  availability: { region: 99%, zone: 95%, instance: 90% }
services:
  front: { zones: [a, b, c], instances: 1, capacity: 100, load: 150 }
journeys:
  j: { entry: front }
`;

function small() {
  const parsed = parseSpec(SPEC, "small.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

/** P(front up) by enumerating every region and zone state the test allows, by hand. */
function bruteForce(down: Set<string>): number {
  const R = 0.99;
  const Z = 0.95;
  const I = 0.9;
  const zones = [
    { zone: "a", region: "r1" },
    { zone: "b", region: "r1" },
    { zone: "c", region: "r2" },
  ].filter((z) => !down.has(z.zone));
  let total = 0;
  for (let regionMask = 0; regionMask < 4; regionMask++) {
    const regionUp = { r1: (regionMask & 1) === 1, r2: (regionMask & 2) === 2 };
    const pRegions = (regionUp.r1 ? R : 1 - R) * (regionUp.r2 ? R : 1 - R);
    for (let zoneMask = 0; zoneMask < 1 << zones.length; zoneMask++) {
      let p = pRegions;
      let up = 0;
      for (const [i, z] of zones.entries()) {
        const zoneUp = (zoneMask & (1 << i)) !== 0;
        const inUpRegion = regionUp[z.region as "r1" | "r2"];
        if (!inUpRegion) {
          if (zoneUp) p = 0; // a zone of a down region is down
          continue;
        }
        p *= zoneUp ? Z : 1 - Z;
        if (zoneUp) up++;
      }
      total += p * atLeast(up, 2, I);
    }
  }
  return total;
}

describe("availabilityWithDown", () => {
  it("is the planner's own figure when nothing is down", () => {
    const spec = clicktravelSpec();
    const plan = analyze(spec, { asOf: "2026-11-29" });
    const none = availabilityWithDown(spec, {});
    assert.deepEqual(none.down, []);
    for (const j of plan.journeys) {
      assert.equal(none.journeys.find((x) => x.name === j.name)?.availability, j.availability);
    }
    for (const c of plan.components) {
      assert.equal(none.components.find((x) => x.name === c.name)?.availability, c.availability, c.name);
    }
  });

  it("conditions on the lost zones, as an enumeration of the other states gives", () => {
    const spec = small();
    for (const down of [["a"], ["c"], ["a", "b"]]) {
      const figure = availabilityWithDown(spec, { zones: down }).components.find((c) => c.name === "front");
      assert.ok(Math.abs((figure?.availability ?? -1) - bruteForce(new Set(down))) < 1e-12, down.join(","));
    }
    // A whole region is its zones.
    const region = availabilityWithDown(spec, { regions: ["r1"] });
    assert.deepEqual(region.down, ["a", "b"]);
    assert.equal(region.components[0]?.availability, 0, "one zone left cannot hold 2 instances of 1");
  });

  it("counts ClickTravel's journey down with us-central1-a lost: inventory keeps 2 instances of the 3 it needs", () => {
    const { journeys, components } = availabilityWithDown(clicktravelSpec(), { zones: ["us-central1-a"] });
    assert.equal(journeys[0]?.availability, 0);
    assert.equal(components.find((c) => c.name === "inventory")?.availability, 0);
    assert.ok((components.find((c) => c.name === "web")?.availability ?? 0) > 0.99);
  });

  it("refuses a zone or region the spec does not declare", () => {
    assert.throws(() => availabilityWithDown(small(), { zones: ["z"] }), /zones/);
    assert.throws(() => availabilityWithDown(small(), { regions: ["r9"] }), /regions/);
  });
});
