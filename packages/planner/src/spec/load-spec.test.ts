import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError } from "@nines/core";
import { clicktravelSpec } from "../../test/support/clicktravel.js";
import { loadSpec, SPEC_INVALID, SPEC_UNREADABLE } from "./load-spec.js";
import type { SpecError } from "./spec-error.js";

const root = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));
const EXAMPLE = root("examples/clicktravel/nines.yaml");

describe("loadSpec: the ClickTravel example", () => {
  const spec = loadSpec(EXAMPLE);

  it("reads the platform, objectives and costs", () => {
    assert.equal(spec.name, "ClickTravel");
    assert.equal(spec.file, EXAMPLE);
    assert.deepEqual(spec.objectives, { availability: 0.9995, maxRetryAmplification: 10 });
    assert.deepEqual(spec.platform.regions, [
      { name: "us-central1", zones: ["us-central1-a", "us-central1-b", "us-central1-f"] },
      { name: "europe-west2", zones: ["europe-west2-a", "europe-west2-b"] },
    ]);
    assert.deepEqual(spec.platform.availability, { region: 0.9999, zone: 0.999, instance: 0.995 });
    assert.deepEqual(spec.costs, { currency: "USD", instance: 50, downtimePerHour: 20_000 });
    assert.deepEqual(spec.edge, [
      { kind: "edge", name: "lb", engine: "global-http-lb", availability: 0.9999, location: "global", cost: 0 },
    ]);
  });

  it("reads services with durations in milliseconds and calls in file order", () => {
    assert.deepEqual(
      spec.services.map((s) => [s.name, s.zones.length, s.instances, s.capacity, s.load, s.startupMs]),
      [
        ["web", 4, 2, 500, 2000, 15_000],
        ["orders", 2, 2, 300, 600, 20_000],
        ["inventory", 2, 2, 400, 900, 20_000],
        ["analytics", 1, 1, 200, 100, 60_000],
      ],
    );
    const web = spec.services[0]!;
    assert.deepEqual(
      web.calls.map((c) => [c.target, c.targetKind, c.optional, c.retries, c.backoff, c.jitter, c.breaker]),
      [
        ["orders", "service", false, 2, "exponential", true, true],
        ["inventory", "service", false, 2, "exponential", true, true],
        ["analytics", "service", true, 0, null, false, false],
      ],
    );
    assert.deepEqual(web.autoscale, { metric: "requests-per-second", target: 350, max: 16, min: null });
    assert.deepEqual(spec.services[1]!.autoscale, { metric: "cpu", target: 0.6, max: 8, min: null });
    assert.equal(spec.services[2]!.autoscale, null);
    assert.deepEqual(spec.services[3]!.health, { check: "/readyz", dependencies: false, autoheal: true });
    // run: how nines up starts it, with the health paths @nines/guard serves; the drain is guard's default.
    assert.deepEqual(spec.services[3]!.run, {
      command: ["node", "dist/services/analytics.js"],
      port: "PORT",
      env: {},
      health: { liveness: "/livez", readiness: "/readyz", startup: "/startupz" },
      cwd: null,
    });
    assert.deepEqual(spec.services[3]!.drain, { delayMs: 5000, graceMs: 20_000, cleanupTimeoutMs: 5000 });
    assert.equal(spec.services[3]!.unit, "instance");
    assert.equal(spec.services[3]!.calls[0]!.targetKind, "store");
  });

  it("reads stores with catalog figures, backups and logs", () => {
    const [orders, inventory, analytics] = spec.stores;
    assert.deepEqual(
      [orders!.managed, orders!.sla, orders!.location, orders!.zone, orders!.replica],
      [true, 0.9995, null, "us-central1-a", { zone: "us-central1-f", sync: true, lagMs: 0, failoverMs: 60_000 }],
    );
    assert.deepEqual(orders!.backups, {
      intervalMs: 86_400_000,
      at: { kind: "multi-region" },
      restoreMs: 1_800_000,
      tested: "2026-09-15",
    });
    assert.deepEqual(orders!.log, { intervalMs: 300_000, at: { kind: "multi-region" } });
    assert.equal(orders!.cost, 600);
    assert.deepEqual([inventory!.managed, inventory!.sla, inventory!.location], [true, 0.99999, "multi-region"]);
    assert.equal(inventory!.backups!.tested, null);
    assert.deepEqual(
      [analytics!.sla, analytics!.rebuildMs, analytics!.backups, analytics!.userData],
      [0.9999, 86_400_000, null, false],
    );
  });

  it("reads journeys and disasters", () => {
    assert.deepEqual(spec.journeys, [{ name: "book-trip", via: "lb", entry: "web", objective: 0.9995 }]);
    assert.deepEqual(
      spec.disasters.map((d) => [d.subjectKind, d.subject, d.kind, d.rpoMs, d.rtoMs, d.priority, d.via, d.index]),
      [
        ["store", "inventory-db", "deletion", 3_600_000, 3_600_000, "high", "application", 0],
        ["store", "orders-db", "crash", 0, 300_000, "high", "application", 1],
        ["store", "analytics-dw", "deletion", 0, 86_400_000, "medium", "application", 2],
      ],
    );
  });

  it("keeps where each node was written", () => {
    assert.deepEqual(spec.locations.get("stores.orders-db.backups.tested"), { file: EXAMPLE, line: 73, column: 60 });
    assert.deepEqual(spec.locations.get("services.web.zones[1]"), { file: EXAMPLE, line: 22, column: 28 });
    assert.deepEqual(spec.locations.get("disasters[1]"), { file: EXAMPLE, line: 98, column: 5 });
  });

  it("equals the hand-built model the analysis tests use", () => {
    assert.deepEqual({ ...spec, file: "", locations: null }, { ...clicktravelSpec(), file: "", locations: null });
  });
});

describe("loadSpec: errors", () => {
  it("throws NINES_SPEC_INVALID listing every error with its place and hint", () => {
    const file = root("packages/planner/test/fixtures/many-errors.nines.yaml");
    assert.throws(
      () => loadSpec(file),
      (error: unknown) => {
        assert.ok(isNinesError(error, SPEC_INVALID));
        const errors = error.details["errors"] as SpecError[];
        assert.equal(errors.length, 14);
        assert.equal(error.name, "PlannerError");
        assert.match(error.message, /has 14 errors:/);
        assert.ok(error.message.includes(`${file}:4:17: objectives.availability: 0.9995 looks like a fraction`));
        assert.ok(error.message.includes("\n  hint: write 99.95%"));
        for (const e of errors) assert.ok(error.message.includes(`${file}:${e.line}:${e.column}: ${e.message}`));
        return true;
      },
    );
  });

  it("reports duplicate keys and names together", () => {
    const file = root("packages/planner/test/fixtures/duplicates.nines.yaml");
    assert.throws(
      () => loadSpec(file),
      (error: unknown) => {
        assert.ok(isNinesError(error, SPEC_INVALID));
        assert.deepEqual(
          (error.details["errors"] as SpecError[]).map((e) => `${e.line}:${e.column} ${e.message}`),
          [
            '6:10 zone "r1-b" is declared twice (also in region "r1")',
            '11:5 duplicate key "instances"',
            '17:3 "web" is declared both as a service and as a store',
            '23:22 zone "r2-a" is not declared in platform.regions',
          ],
        );
        return true;
      },
    );
  });

  it("gives a syntax error's position", () => {
    const file = root("packages/planner/test/fixtures/syntax-error.yaml.txt");
    assert.throws(
      () => loadSpec(file),
      (error: unknown) => {
        assert.ok(isNinesError(error, SPEC_INVALID));
        const [first] = error.details["errors"] as SpecError[];
        assert.deepEqual([first!.line, first!.column], [8, 8]);
        assert.match(first!.hint, /close the flow collection/);
        return true;
      },
    );
  });

  it("throws NINES_SPEC_UNREADABLE for a missing file", () => {
    assert.throws(
      () => loadSpec("/nonexistent/nines.yaml"),
      (error: unknown) =>
        isNinesError(error, SPEC_UNREADABLE) &&
        error.name === "PlannerError" &&
        error.message === "cannot read spec /nonexistent/nines.yaml: no such file",
    );
  });
});
