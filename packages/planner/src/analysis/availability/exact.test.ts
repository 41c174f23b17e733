import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type SpecInput } from "../../../test/support/build-spec.js";
import { Topology } from "../topology/topology.js";
import { componentModel } from "./component-model.js";
import { estimateAvailability, failureDomains } from "./estimate.js";
import { exactAvailability } from "./exact.js";

const R = 0.9999;
const Z = 0.999;
const I = 0.995;
const close = (a: number, b: number, eps = 1e-13) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (diff ${a - b})`);

/** Availability of the named components together (a journey of them). */
function together(input: SpecInput, names: string[]): number {
  const topology = new Topology(buildSpec(input));
  const models = names.map((n) => componentModel(topology, topology.component(n)));
  return estimateAvailability(models, failureDomains(topology)).availability;
}

test("one service, 2 instances in one zone, k = 1: R * Z * (1 - (1 - I)^2)", () => {
  const a = together(
    { regions: { r1: ["a"] }, services: [{ name: "web", zones: ["a"], instances: 2, capacity: 100, load: 80 }] },
    ["web"],
  );
  close(a, R * Z * (1 - (1 - I) ** 2));
});

test("one instance in each of two zones of one region, k = 1: R * (1 - (1 - Z * I)^2)", () => {
  const a = together(
    {
      regions: { r1: ["a", "b"] },
      services: [{ name: "web", zones: ["a", "b"], instances: 1, capacity: 100, load: 80 }],
    },
    ["web"],
  );
  close(a, R * (1 - (1 - Z * I) ** 2));
});

test("capacity-aware: 2 zones x 2 instances needing k = ceil(250 / 100) = 3", () => {
  const a = together(
    {
      regions: { r1: ["a", "b"] },
      services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 250 }],
    },
    ["web"],
  );
  // Both zones up: P(Bin(4, I) >= 3) = I^4 + 4 I^3 (1 - I); one zone up leaves 2 < 3.
  close(a, R * Z * Z * (I ** 4 + 4 * I ** 3 * (1 - I)));
});

test("load 0 still needs one instance (k = max(1, ...))", () => {
  const a = together(
    { regions: { r1: ["a"] }, services: [{ name: "idle", zones: ["a"], instances: 1, capacity: 100, load: 0 }] },
    ["idle"],
  );
  close(a, R * Z * I);
});

test("correlated failure: two services sharing one zone fail together", () => {
  const shared = together(
    {
      regions: { r1: ["a", "b"] },
      services: [
        { name: "x", zones: ["a"], instances: 1, capacity: 100, load: 50 },
        { name: "y", zones: ["a"], instances: 1, capacity: 100, load: 50 },
      ],
    },
    ["x", "y"],
  );
  // One region and one zone to lose: R * Z * I * I.
  close(shared, R * Z * I * I);
  const separate = together(
    {
      regions: { r1: ["a", "b"] },
      services: [
        { name: "x", zones: ["a"], instances: 1, capacity: 100, load: 50 },
        { name: "y", zones: ["b"], instances: 1, capacity: 100, load: 50 },
      ],
    },
    ["x", "y"],
  );
  // Same region, separate zones: R * (Z I)^2.
  close(separate, R * (Z * I) ** 2);
  // Multiplying standalone figures would get both wrong: (R Z I)^2.
  const naive = (R * Z * I) ** 2;
  assert.ok(shared > naive && separate > naive && shared > separate);
  const apart = together(
    {
      regions: { r1: ["a"], r2: ["b"] },
      services: [
        { name: "x", zones: ["a"], instances: 1, capacity: 100, load: 50 },
        { name: "y", zones: ["b"], instances: 1, capacity: 100, load: 50 },
      ],
    },
    ["x", "y"],
  );
  // Different regions share nothing: the product is exact.
  close(apart, naive);
});

test("placed store: primary or replica node up", () => {
  const input: SpecInput = {
    regions: { r1: ["a", "b"], r2: ["c"] },
    stores: [
      { name: "solo", zone: "a" },
      { name: "ha", zone: "a", replica: { zone: "b", sync: true, lagMs: 0, failoverMs: 60_000 } },
      { name: "geo", zone: "a", replica: { zone: "c", sync: false, lagMs: 300_000, failoverMs: 60_000 } },
    ],
  };
  close(together(input, ["solo"]), R * Z * I);
  close(together(input, ["ha"]), R * (1 - (1 - Z * I) ** 2));
  close(together(input, ["geo"]), 1 - (1 - R * Z * I) ** 2);
});

test("managed components are independent constants; a journey multiplies them with the placed part", () => {
  const input: SpecInput = {
    regions: { r1: ["a"] },
    edge: [{ name: "lb", availability: 0.9999 }],
    services: [{ name: "web", zones: ["a"], instances: 2, capacity: 100, load: 80 }],
    stores: [{ name: "fs", engine: "firestore", managed: true, sla: 0.99999, location: "multi-region" }],
  };
  close(together(input, ["fs"]), 0.99999);
  close(together(input, ["lb", "web", "fs"]), 0.9999 * 0.99999 * R * Z * (1 - (1 - I) ** 2));
});

test("a service and a store sharing a zone, enumerated: R * Z_a * [..] summed by hand", () => {
  // web: 1 instance in a and b (k = 1); db: primary in a, no replica.
  const a = together(
    {
      regions: { r1: ["a", "b"] },
      services: [{ name: "web", zones: ["a", "b"], instances: 1, capacity: 100, load: 50 }],
      stores: [{ name: "db", zone: "a" }],
    },
    ["web", "db"],
  );
  // db needs zone a up and its node: then web needs its a or b instance:
  // R * Z * I * [Z (1 - (1 - I)^2) + (1 - Z) I]
  close(a, R * Z * I * (Z * (1 - (1 - I) ** 2) + (1 - Z) * I));
});

test("the count-distribution shortcut equals full enumeration", () => {
  const topology = new Topology(
    buildSpec({
      regions: { r1: ["a", "b", "c"], r2: ["d", "e"] },
      services: [{ name: "web", zones: ["a", "b", "d", "e"], instances: 2, capacity: 100, load: 450 }],
    }),
  );
  const model = componentModel(topology, topology.component("web"));
  const domains = failureDomains(topology);
  const shortcut = exactAvailability([model.placed!], domains);
  // A neutral factor on other zones of the same regions forces enumeration.
  const neutral = { zones: [2], table: Float64Array.of(1, 1) };
  const enumerated = exactAvailability([model.placed!, neutral], domains);
  assert.ok(enumerated.states > 0 && shortcut.states === 0);
  close(shortcut.availability, enumerated.availability, 1e-14);
});

test("regions that no component links are computed apart (independence) and multiply", () => {
  const input: SpecInput = {
    regions: { r1: ["a", "b"], r2: ["c", "d"] },
    services: [
      { name: "x", zones: ["a", "b"], instances: 1, capacity: 100, load: 50 },
      { name: "y", zones: ["a"], instances: 1, capacity: 100, load: 50 },
      { name: "z", zones: ["c", "d"], instances: 1, capacity: 100, load: 50 },
      { name: "w", zones: ["d"], instances: 1, capacity: 100, load: 50 },
    ],
  };
  const topology = new Topology(buildSpec(input));
  const placed = ["x", "y", "z", "w"].map((n) => componentModel(topology, topology.component(n)).placed!);
  const r = exactAvailability(placed, failureDomains(topology));
  assert.equal(r.states, 8, "two groups of 2 zones each: 4 + 4 states, not 16");
  close(r.availability, together(input, ["x", "y"]) * together(input, ["z", "w"]));
});
