// Must show (4), plan and simulation agree: `year` with instant detection, failover and start-up is the
// plan's model run in time, so each journey's simulated availability holds `nines plan`'s exact figure
// within its 95% confidence interval. With the spec's recovery times the same failures (the same seed
// draws the same failure and repair times) cost more, and the difference is charged to detection,
// failover and start-up. The numbers are in docs/simulate.md.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze, type Spec } from "@nines/planner";
import { simulateYear } from "../../src/year/simulate-year.js";
import { clicktravel, specOf } from "../support/specs.js";

/** Two journeys over placed stores with replicas, a managed store and services that need 1 to 3 instances. */
const shop = specOf(`
name: Shop
objectives:
  availability: 99.9%
platform:
  regions:
    r1: [r1-a, r1-b, r1-c]
    r2: [r2-a, r2-b]
  availability: { region: 99.95%, zone: 99.5%, instance: 99% }
edge:
  lb: { engine: global-http-lb }
services:
  front:
    zones: [r1-a, r1-b, r2-a]
    instances: 2
    capacity: 100
    load: 250
    startup: 30s
    calls:
      cart: { retries: 1, backoff: exponential, jitter: true }
      search: { retries: 2, backoff: exponential, jitter: true }
  cart:
    zones: [r1-a, r1-b]
    instances: 2
    capacity: 100
    load: 150
    startup: 20s
    calls:
      carts-db: {}
  search:
    zones: [r1-b, r1-c]
    instances: 1
    capacity: 100
    load: 80
    calls:
      catalog: {}
stores:
  carts-db:
    engine: postgres
    zone: r1-a
    replica: { zone: r1-c, sync: true, failover: 2m }
  catalog:
    engine: firestore
    location: multi-region
journeys:
  checkout: { via: lb, entry: front }
  browse: { entry: search, availability: 99.5% }
`);

/** A service in one region with a hot standby in another: the standby's instances count as the service's. */
const standby = specOf(`
name: Standby
objectives:
  availability: 99.9%
platform:
  regions:
    r1: [r1-a, r1-b]
    r2: [r2-a, r2-b, r2-c]
  availability: { region: 99.5%, zone: 99.5%, instance: 99% }
services:
  api:
    zones: [r1-a, r1-b]
    instances: 1
    capacity: 100
    load: 80
    startup: 30s
    standby: { kind: hot, region: r2 }
journeys:
  use: { entry: api }
`);

/**
 * Stores with hot standbys in another region, as the plan counts them: a placed store (its standby is one
 * more node, switched to in the time of its fastest recovery after a region loss, the 30-minute restore)
 * and a managed regional store (up while its own figure holds or its standby node is up).
 */
const storeStandbys = specOf(`
name: StoreStandbys
objectives:
  availability: 99.9%
platform:
  regions:
    r1: [r1-a, r1-b]
    r2: [r2-a, r2-b]
  availability: { region: 99.5%, zone: 99.5%, instance: 99% }
services:
  api:
    zones: [r1-a, r1-b, r2-a, r2-b]
    instances: 1
    capacity: 100
    load: 50
    calls:
      orders-db: {}
      sessions: {}
stores:
  orders-db:
    engine: postgres
    zone: r1-a
    backups: { every: 24h, at: multi-region, restore: 30m }
    standby: { kind: hot, region: r2 }
  sessions:
    engine: cloud-sql
    zone: r1-b
    backups: { every: 24h, at: multi-region, restore: 1h }
    standby: { kind: hot, region: r2 }
journeys:
  order: { entry: api }
`);

async function compare(spec: Spec, years: number) {
  const plan = analyze(spec, { asOf: "2026-11-29" });
  const instant = await simulateYear(spec, { years, recovery: "instant", plan });
  const real = await simulateYear(spec, { years, recovery: "spec", plan });
  return { plan, instant, real };
}

describe("must show (4): plan and simulation agree", () => {
  for (const [name, spec, years] of [
    ["ClickTravel", clicktravel, 300],
    ["a shop with two journeys", shop, 300],
    ["a service with a hot standby in another region", standby, 300],
    ["stores with hot standbys in another region", storeStandbys, 300],
  ] as const) {
    it(`${name}: with instant recovery every journey's 95% CI holds the plan's exact figure`, async () => {
      const { plan, instant, real } = await compare(spec, years);
      for (const journey of instant.journeys) {
        const exact = plan.journeys.find((j) => j.name === journey.journey)?.availability as number;
        assert.equal(journey.plan, exact);
        assert.ok(
          journey.ci95[0] <= exact && exact <= journey.ci95[1],
          `${journey.journey}: plan ${exact}, simulated ${journey.availability} ${JSON.stringify(journey.ci95)}`,
        );
        assert.deepEqual(
          [journey.downtimeByCause.detection, journey.downtimeByCause.failover, journey.downtimeByCause["start-up"]],
          [0, 0, 0],
        );
      }
      // The spec's recovery times: lower, by what detection, failover and start-up cost.
      for (const [i, journey] of real.journeys.entries()) {
        const base = instant.journeys[i] as (typeof instant.journeys)[number];
        const extra = journey.downtimeMinutesPerYear - base.downtimeMinutesPerYear;
        const recovery =
          journey.downtimeByCause.detection + journey.downtimeByCause.failover + journey.downtimeByCause["start-up"];
        assert.ok(
          journey.availability < base.availability,
          `${journey.journey}: ${journey.availability} vs ${base.availability}`,
        );
        assert.ok(recovery > 0);
        assert.ok(
          Math.abs(extra - recovery) < 0.05 * recovery + 0.1,
          `${journey.journey}: ${extra} extra minutes, recovery causes ${recovery}`,
        );
      }
    });
  }

  it("a hot standby's instances keep the service up through its region's outages", async () => {
    const { instant } = await compare(standby, 300);
    const [use] = instant.journeys;
    assert.ok(use);
    // Without the standby it would be down with r1 (99.5%): about 2,630 minutes a year; with it,
    // only while both regions are down (0.005 squared: about 13).
    assert.ok(use.availability > 0.9999, `${use.availability}`);
    assert.ok(use.downtimeByCause["region-outage"] < 30, JSON.stringify(use.downtimeByCause));
  });

  it("a store's hot standby keeps it up through its region's outages, and switching to it is failover time", async () => {
    const { plan, instant, real } = await compare(storeStandbys, 300);
    const [order] = instant.journeys;
    assert.ok(order);
    // Without the standbys each store is down with r1 (99.5%, about 2,630 minutes a year); the plan counts them.
    const withoutStandbys = analyze(
      { ...storeStandbys, stores: storeStandbys.stores.map((store) => ({ ...store, standby: null })) },
      { asOf: "2026-11-29" },
    ).journeys[0]?.availability as number;
    assert.ok((plan.journeys[0]?.availability as number) - withoutStandbys > 0.004);
    assert.ok(order.availability - withoutStandbys > 0.004, `${order.availability} vs ${withoutStandbys}`);
    const [slow] = real.journeys;
    assert.ok(slow && slow.downtimeByCause.failover > 10, JSON.stringify(slow?.downtimeByCause));
  });

  it("ClickTravel: the recovery times cost minutes a year, mostly start-up and orders-db's failover", async () => {
    const { real } = await compare(clicktravel, 100);
    const [trip] = real.journeys;
    assert.ok(trip);
    assert.ok(
      trip.downtimeByCause["start-up"] > 1 && trip.downtimeByCause.failover > 1,
      JSON.stringify(trip.downtimeByCause),
    );
    assert.ok(trip.downtimeByCause.detection > 0);
    // Zone outages dominate: inventory needs 3 of its 4 instances, 2 per zone.
    const largest = Object.entries(trip.downtimeByCause).sort((a, b) => b[1] - a[1])[0];
    assert.equal(largest?.[0], "zone-outage");
  });
});
