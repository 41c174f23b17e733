import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { buildSpec, type ServiceInput, type StoreInput } from "../../../test/support/build-spec.js";
import { clicktravelFixture } from "../../../test/support/clicktravel-fixture.js";
import { type Box, layoutDiagram } from "./layout.js";
import { renderDiagramSvg } from "./svg.js";

const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.w <= outer.x + outer.w &&
  inner.y + inner.h <= outer.y + outer.h;
const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe("layoutDiagram", () => {
  const { spec } = clicktravelFixture();
  const layout = layoutDiagram(spec);

  it("is deterministic", () => {
    assert.deepEqual(layoutDiagram(spec), layout);
    assert.equal(renderDiagramSvg(layoutDiagram(spec)), renderDiagramSvg(layout));
  });

  it("nests zones in their regions and instance groups in their zones, one per zone a service runs in", () => {
    assert.deepEqual(
      layout.regions.map((r) => r.name),
      ["us-central1", "europe-west2"],
    );
    for (const zone of layout.zones)
      assert.ok(inside(zone, layout.regions.find((r) => r.name === zone.region)!), zone.name);
    for (const service of spec.services) {
      const groups = layout.nodes.filter((n) => n.kind === "service" && n.component === service.name);
      assert.deepEqual(groups.map((g) => g.zone).sort(), [...service.zones].sort(), service.name);
      for (const g of groups) {
        assert.ok(inside(g, layout.zones.find((z) => z.name === g.zone)!), g.id);
        assert.match(g.detail, new RegExp(`^${service.instances} instances?`));
      }
    }
  });

  it("draws placed stores with their replica in zones, managed stores and backups outside every zone", () => {
    const primary = layout.nodes.find((n) => n.id === "orders-db@us-central1-a");
    const replica = layout.nodes.find((n) => n.id === "orders-db@us-central1-f");
    assert.equal(primary?.kind, "store");
    assert.equal(replica?.kind, "replica");
    for (const name of ["inventory-db", "analytics-dw"]) {
      const node = layout.nodes.find((n) => n.id === name)!;
      assert.equal(node.kind, "managed");
      for (const zone of layout.zones) assert.ok(!overlap(node, zone), `${name} overlaps ${zone.name}`);
    }
    assert.ok(layout.nodes.some((n) => n.kind === "backups" && n.detail.startsWith("multi-region")));
    assert.ok(layout.edges.some((e) => e.kind === "replication" && e.label === "sync"));
  });

  it("never overlaps two boxes, and keeps everything inside the drawing", () => {
    for (const [i, a] of layout.nodes.entries()) {
      for (const b of layout.nodes.slice(i + 1)) assert.ok(!overlap(a, b), `${a.id} overlaps ${b.id}`);
      assert.ok(inside(a, { x: 0, y: 0, w: layout.width, h: layout.height }), a.id);
    }
  });

  it("draws the load balancer to every entry group and calls as arrows, optional ones dashed", () => {
    const entries = layout.edges.filter((e) => e.kind === "entry");
    assert.deepEqual(entries.map((e) => e.to).sort(), spec.services[0]!.zones.map((z) => `web@${z}`).sort());
    const optional = layout.edges.filter((e) => e.kind === "optional-call");
    assert.ok(optional.length > 0 && optional.every((e) => e.from.startsWith("web@") && e.to.startsWith("analytics@")));
    assert.ok(
      layout.edges.some(
        (e) => e.kind === "call" && e.from === "orders@us-central1-a" && e.to === "orders-db@us-central1-a",
      ),
    );
    const svg = renderDiagramSvg(layout);
    assert.match(svg, /class="edge optional-call"[^>]*stroke-dasharray/);
  });

  it("keeps boxes apart and inside the drawing on generated specs", () => {
    const random = new SeededRandom(42);
    const below = (n: number): number => random.int(0, n - 1);
    for (let round = 0; round < 30; round++) {
      const regions: Record<string, string[]> = {};
      const regionCount = 1 + below(3);
      for (let r = 0; r < regionCount; r++) {
        regions[`r${r}`] = Array.from({ length: 1 + below(3) }, (_, z) => `r${r}-${z}`);
      }
      const zones = Object.values(regions).flat();
      const pick = (): string => zones[below(zones.length)]!;
      const stores: StoreInput[] = Array.from({ length: below(4) }, (_, i) => {
        const zone = pick();
        const other = zones.find((z) => z !== zone);
        if (random.next() < 0.4) return { name: `m${i}`, managed: true, location: "multi-region", sla: 0.9999 };
        return {
          name: `db${i}`,
          zone,
          ...(other && random.next() < 0.5 && { replica: { zone: other, sync: true, lagMs: 0, failoverMs: 60_000 } }),
        };
      });
      const services: ServiceInput[] = Array.from({ length: 1 + below(6) }, (_, i) => ({
        name: `s${i}`,
        zones: [...new Set([pick(), pick()])],
        instances: 1 + below(3),
        // Calls only go to later services (no cycles) and to stores.
        calls: [
          ...(i > 0 ? [{ target: `s${below(i)}`, optional: random.next() < 0.3 }] : []),
          ...(stores.length > 0 ? [{ target: stores[below(stores.length)]!.name }] : []),
        ],
      }));
      // Reverse so that callers come first in file order, as people write them.
      assert.ok(zones.length >= 1 && services.length >= 1);
      const spec = buildSpec({ regions, services: services.reverse(), stores, edge: [{ name: "lb" }] });
      const layout = layoutDiagram(spec);
      for (const [i, a] of layout.nodes.entries()) {
        for (const b of layout.nodes.slice(i + 1))
          assert.ok(!overlap(a, b), `round ${round}: ${a.id} overlaps ${b.id}`);
        assert.ok(inside(a, { x: 0, y: 0, w: layout.width, h: layout.height }), `round ${round}: ${a.id} outside`);
      }
      for (const e of layout.edges)
        assert.doesNotMatch(e.path, /NaN|undefined/, `round ${round}: ${e.from} -> ${e.to}`);
    }
  });

  it("draws a standby in its region, outside the call routes", () => {
    const withStandby = buildSpec({
      regions: { r1: ["a", "b"], r2: ["c"] },
      services: [
        {
          name: "api",
          zones: ["a", "b"],
          standby: { kind: "hot", region: "r2", provisionMs: 0 },
          calls: [{ target: "db" }],
        },
      ],
      stores: [{ name: "db", zone: "a", standby: { kind: "cold", region: "r2", provisionMs: 1_800_000 } }],
    });
    const l = layoutDiagram(withStandby);
    const standbys = l.nodes.filter((n) => n.kind === "standby");
    assert.deepEqual(
      standbys.map((n) => [n.id, n.zone, n.detail]),
      [
        ["api#standby", "c", "hot standby"],
        ["db#standby", "c", "cold standby · up in 30m"],
      ],
    );
    assert.ok(l.edges.some((e) => e.kind === "call" && e.to === "db@a"));
    assert.ok(l.edges.every((e) => !e.to.endsWith("#standby")));
  });

  it("labels an edge component with its location as written (multi-region is not global)", () => {
    const spread = buildSpec({
      regions: { r1: ["a"], r2: ["b"] },
      edge: [
        { name: "cdn", engine: "cloud-storage", availability: 0.9995, location: "dual-region" },
        { name: "lb", engine: "global-http-lb", availability: 0.9999, location: "global" },
        { name: "api-gw", engine: "gateway", availability: 0.999, location: "r1" },
      ],
      services: [{ name: "web", zones: ["a", "b"] }],
    });
    assert.deepEqual(
      layoutDiagram(spread)
        .nodes.filter((n) => n.kind === "edge")
        .map((n) => n.detail),
      ["cloud-storage · dual-region", "global-http-lb · global", "gateway · r1"],
    );
  });
});
