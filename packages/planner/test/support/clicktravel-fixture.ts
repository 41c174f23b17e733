import type { Spec } from "../../src/model.js";
import type { PlanResult } from "../../src/result.js";
import { clicktravelSpec } from "./clicktravel.js";

/**
 * ClickTravel (`clicktravel.nines.yaml`) as a typed model and a plan result
 * built by hand, so that report and exporter tests do not depend on the
 * parser or the analysis. The figures have the right shape, not the
 * analysis's exact values.
 *
 * @example
 * const { spec, result } = clicktravelFixture();
 */
export function clicktravelFixture(): { spec: Spec; result: PlanResult } {
  const spec = clicktravelSpec();
  spec.file = "examples/clicktravel/nines.yaml";

  const journeyAvailability = 0.99961;
  const result: PlanResult = {
    name: "ClickTravel",
    file: spec.file,
    asOf: "2026-11-29",
    journeys: [
      {
        name: "book-trip",
        availability: journeyAvailability,
        objective: 0.9995,
        downtimeMinutesPerYear: (1 - journeyAvailability) * 525_960,
        downtimeMinutesPerMonth: (1 - journeyAvailability) * 43_200,
        components: ["lb", "web", "orders", "orders-db", "inventory", "inventory-db"],
        zones: ["us-central1-a", "us-central1-b", "us-central1-f", "europe-west2-a", "europe-west2-b"],
        method: "exact",
      },
    ],
    components: [
      { name: "lb", kind: "edge", availability: 0.9999, downtimeMinutesPerYear: 52.596 },
      {
        name: "web",
        kind: "service",
        availability: 0.99998,
        downtimeMinutesPerYear: 10.5,
        needed: 4,
        instances: 8,
        headroom: 2,
      },
      {
        name: "orders",
        kind: "service",
        availability: 0.99979,
        downtimeMinutesPerYear: 110,
        needed: 2,
        instances: 4,
        headroom: 2,
      },
      {
        name: "inventory",
        kind: "service",
        availability: 0.9989,
        downtimeMinutesPerYear: 578,
        needed: 3,
        instances: 4,
        headroom: 1.78,
      },
      {
        name: "analytics",
        kind: "service",
        availability: 0.994,
        downtimeMinutesPerYear: 3155,
        needed: 1,
        instances: 1,
        headroom: 2,
      },
      { name: "orders-db", kind: "store", availability: 0.9995, downtimeMinutesPerYear: 263 },
      { name: "inventory-db", kind: "store", availability: 0.99999, downtimeMinutesPerYear: 5.26 },
      { name: "analytics-dw", kind: "store", availability: 0.9999, downtimeMinutesPerYear: 52.6 },
    ],
    findings: [
      {
        rule: "n-plus-2",
        severity: "error",
        subject: "inventory",
        message:
          "inventory: 800 req/s left after losing 2 instances is below its load of 900; add one instance per zone",
      },
      {
        rule: "zone-loss-overload",
        severity: "error",
        subject: "inventory",
        message: "inventory: losing a zone leaves 800 req/s for 900 (ratio 1.125); add one instance per zone",
        ratio: 1.125,
      },
      {
        rule: "retry-amplification",
        severity: "warning",
        subject: "book-trip",
        message: "book-trip: 2 layers retry",
        factor: 3,
        path: ["web", "orders"],
      },
      {
        rule: "spof",
        severity: "error",
        subject: "analytics",
        message: "analytics: one instance",
        domains: ["analytics#1"],
      },
      {
        rule: "restore-untested",
        severity: "warning",
        subject: "inventory-db",
        message: "inventory-db: backups never tested",
      },
      { rule: "no-autoscale", severity: "info", subject: "inventory", message: "inventory: no autoscaling" },
    ],
    disasters: [
      {
        subject: "inventory-db",
        subjectKind: "store",
        scenario: "Programmer deleted all inventory accidentally",
        kind: "deletion",
        priority: "high",
        rpo: { objective: 3_600, achieved: 86_400 },
        rto: { objective: 3_600, achieved: 3_600 },
        mechanism: "backups",
        met: false,
      },
      {
        subject: "orders-db",
        subjectKind: "store",
        scenario: "Orders database crashed",
        kind: "crash",
        priority: "high",
        rpo: { objective: 0, achieved: 0 },
        rto: { objective: 300, achieved: 60 },
        mechanism: "sync-replica",
        met: true,
      },
      {
        subject: "analytics-dw",
        subjectKind: "store",
        scenario: "User deletes tables",
        kind: "deletion",
        priority: "medium",
        rpo: { objective: 0, achieved: 0 },
        rto: { objective: 86_400, achieved: 86_400 },
        mechanism: "rebuild",
        met: true,
      },
    ],
    costs: {
      currency: "USD",
      alternatives: [
        {
          name: "as-written",
          monthly: 1_950,
          availability: journeyAvailability,
          downtimeCostPerYear: 683_000,
          cheapest: false,
          instances: 17,
        },
        {
          name: "single-zone",
          monthly: 1_650,
          availability: 0.9978,
          downtimeCostPerYear: 3_857_000,
          cheapest: false,
          instances: 11,
        },
        {
          name: "multi-zone",
          monthly: 1_800,
          availability: 0.99961,
          downtimeCostPerYear: 683_800,
          cheapest: true,
          instances: 14,
        },
        {
          name: "multi-region",
          monthly: 2_600,
          availability: 0.99962,
          downtimeCostPerYear: 700_000,
          cheapest: false,
          instances: 30,
        },
      ],
    },
  };
  return { spec, result };
}
