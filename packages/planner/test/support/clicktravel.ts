import type { RunSpec, Spec } from "../../src/model.js";
import { buildSpec } from "./build-spec.js";

const HEALTHY = { check: "/readyz", dependencies: true, autoheal: true };
/** How each service starts (`run`), as the example's YAML says. */
const run = (name: string, env: Record<string, string> = {}): RunSpec => ({
  command: ["node", `dist/services/${name}.js`],
  port: "PORT",
  env,
  health: { liveness: "/livez", readiness: "/readyz", startup: "/startupz" },
  cwd: null,
});
const SAFE_RETRY = {
  retries: 2,
  backoff: "exponential" as const,
  jitter: true,
  breaker: true,
  budget: 0.2,
  timeoutMs: 1000,
};

/**
 * The ClickTravel example of the design (`clicktravel.nines.yaml`) as a
 * typed model, built by hand so that analysis tests do not depend on the
 * YAML parser. An end-to-end test checks it against `loadSpec` of the file.
 *
 * @example
 * analyze(clicktravelSpec(), { asOf: "2026-11-29" }).journeys[0]?.availability; // 0.99714...
 */
export function clicktravelSpec(): Spec {
  return buildSpec({
    name: "ClickTravel",
    objective: 0.9995,
    regions: {
      "us-central1": ["us-central1-a", "us-central1-b", "us-central1-f"],
      "europe-west2": ["europe-west2-a", "europe-west2-b"],
    },
    availability: { region: 0.9999, zone: 0.999, instance: 0.995 },
    edge: [{ name: "lb", engine: "global-http-lb", availability: 0.9999, location: "global" }],
    services: [
      {
        name: "web",
        run: run("web"),
        zones: ["us-central1-a", "us-central1-b", "europe-west2-a", "europe-west2-b"],
        instances: 2,
        capacity: 500,
        load: 2000,
        health: HEALTHY,
        startupMs: 15_000,
        autoscale: { metric: "requests-per-second", target: 350, max: 16, min: null },
        calls: [
          { target: "orders", ...SAFE_RETRY },
          { target: "inventory", ...SAFE_RETRY },
          { target: "analytics", optional: true, timeoutMs: 300 },
        ],
      },
      {
        name: "orders",
        run: run("orders"),
        zones: ["us-central1-a", "us-central1-b"],
        instances: 2,
        capacity: 300,
        load: 600,
        health: HEALTHY,
        startupMs: 20_000,
        autoscale: { metric: "cpu", target: 0.6, max: 8, min: null },
        calls: [{ target: "orders-db" }],
      },
      {
        name: "inventory",
        run: run("inventory", { ADMIN_TOKEN: "clicktravel-drill" }),
        zones: ["us-central1-a", "us-central1-b"],
        instances: 2,
        capacity: 400,
        load: 900,
        health: HEALTHY,
        startupMs: 20_000,
        autoscale: null,
        calls: [{ target: "inventory-db" }],
      },
      {
        name: "analytics",
        run: run("analytics"),
        zones: ["us-central1-a"],
        instances: 1,
        capacity: 200,
        load: 100,
        health: { check: "/readyz", dependencies: false, autoheal: true },
        startupMs: 60_000,
        autoscale: null,
        calls: [{ target: "analytics-dw" }],
      },
    ],
    stores: [
      {
        name: "orders-db",
        engine: "cloud-sql",
        managed: true,
        sla: 0.9995,
        zone: "us-central1-a",
        replica: { zone: "us-central1-f", sync: true, lagMs: 0, failoverMs: 60_000 },
        backups: { intervalMs: 86_400_000, at: { kind: "multi-region" }, restoreMs: 1_800_000, tested: "2026-09-15" },
        log: { intervalMs: 300_000, at: { kind: "multi-region" } },
        userData: true,
        cost: 600,
      },
      {
        name: "inventory-db",
        engine: "firestore",
        managed: true,
        sla: 0.99999,
        location: "multi-region",
        backups: { intervalMs: 86_400_000, at: { kind: "multi-region" }, restoreMs: 3_600_000, tested: null },
        deletion: { trashMs: 2_592_000_000, softMs: 2_592_000_000, restoreMs: 900_000 },
        userData: true,
        cost: 300,
      },
      {
        name: "analytics-dw",
        engine: "bigquery",
        managed: true,
        sla: 0.9999,
        location: "multi-region",
        rebuildMs: 86_400_000,
        cost: 200,
      },
    ],
    journeys: [{ name: "book-trip", via: "lb", entry: "web" }],
    disasters: [
      {
        subject: "inventory-db",
        scenario: "Programmer deleted all inventory accidentally",
        kind: "deletion",
        rpoMs: 3_600_000,
        rtoMs: 3_600_000,
        priority: "high",
      },
      {
        subject: "orders-db",
        scenario: "Orders database crashed",
        kind: "crash",
        rpoMs: 0,
        rtoMs: 300_000,
        priority: "high",
      },
      {
        subject: "analytics-dw",
        scenario: "User deletes tables",
        kind: "deletion",
        rpoMs: 0,
        rtoMs: 86_400_000,
        priority: "medium",
      },
    ],
    costs: { currency: "USD", instance: 50, downtimePerHour: 20_000 },
  });
}
