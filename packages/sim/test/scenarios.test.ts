// Each scenario of `simulate` on a spec where its effect is plain, with the figures that show it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulate } from "../src/run/simulate.js";
import { clicktravel, meanOf, specOf, twoTier } from "./support/specs.js";

const STORM_FREE = "{ retries: 2, backoff: exponential, jitter: true, budget: 10%, breaker: true, timeout: 500ms }";

describe("scenarios", () => {
  it("region-loss: us-central1 takes orders and inventory with it; orders-db is restored from its backups", async () => {
    const result = await simulate(
      clicktravel,
      { kind: "region-loss", region: "us-central1", afterMs: 2000 },
      { durationMs: 8000 },
    );
    const trip = result.series.journeys["book-trip"];
    assert.ok(trip);
    assert.ok(meanOf(trip.goodput, 0, 2) > 1800, `before: ${trip.goodput.slice(0, 2)}`);
    // web still runs in europe-west2, but a request calls inventory 45% of the time and orders 30% (their
    // loads over web's): only those that need neither, 0.55 x 0.7 = 38.5%, still succeed. web's instances
    // answer those 503s alike, so the edge ejects none of them.
    const share = meanOf(trip.goodput, 5) / meanOf(trip.offered, 5);
    assert.ok(Math.abs(share - 0.385) < 0.03, `after: ${trip.goodput.slice(5)} (${share} of the offered)`);
    assert.deepEqual(
      result.timeline.map((e) => e.what),
      ["lost us-central1-a, us-central1-b, us-central1-f", "orders-db restored from backups"],
    );
    assert.equal(result.series.services["web"]?.instancesUp.at(-1), 4);
  });

  it("instance-failures: crashed instances autoheal after detection + start-up, and requests mostly succeed", async () => {
    const spec = twoTier(STORM_FREE);
    const result = await simulate(
      spec,
      { kind: "instance-failures", failuresPerHour: 120, afterMs: 0 },
      { durationMs: 120_000 },
    );
    const backend = result.series.services["backend"];
    assert.ok(backend);
    // Every instance crashes every 30 s on average and is out for the detection (2 s at most) + its 5 s start-up:
    // up about 30 / (30 + 6.5) of the time.
    const up = meanOf(backend.instancesUp) / 4;
    assert.ok(Math.abs(up - 30 / 36.5) < 0.06, `backend up ${up}`);
    const [main] = result.journeys;
    const availability = main?.availability as number;
    // Each crash resets the requests inside it (api's included: users do not retry).
    assert.ok(availability > 0.85 && availability < 1, `${availability}`);
  });

  it("latency-spike: the target's latency rises for the spike and falls back after it", async () => {
    const result = await simulate(
      twoTier(STORM_FREE, "capacity: 400"),
      { kind: "latency-spike", target: "backend", factor: 4, afterMs: 5000, durationMs: 5000 },
      { durationMs: 20_000 },
    );
    const p50 = result.series.journeys["main"]?.p50Ms ?? [];
    assert.ok(meanOf(p50, 6, 10) > 3 * meanOf(p50, 0, 5), `p50 ${p50}`);
    assert.ok(meanOf(p50, 14, 20) < 1.5 * meanOf(p50, 0, 5), `after: ${p50.slice(14)}`);
    assert.deepEqual(result.marks, [
      { atMs: 5000, label: "backend 4x slower" },
      { atMs: 10_000, label: "backend 4x slower ends" },
    ]);
  });

  it("error-burst: half of the target's answers fail; three attempts hide 7 in 8 of them from users", async () => {
    const result = await simulate(
      twoTier("{ retries: 2, backoff: exponential, jitter: true }", "capacity: 400"),
      { kind: "error-burst", target: "backend", errorRate: 0.5, afterMs: 2000, durationMs: 4000 },
      // Without guards: api's adaptive limit would also shrink as the retries make its requests slower.
      { durationMs: 10_000, admission: false },
    );
    const backend = result.series.services["backend"];
    const main = result.series.journeys["main"];
    assert.ok(backend && main);
    const share = meanOf(backend.errors, 3, 6) / (meanOf(backend.errors, 3, 6) + meanOf(backend.goodput, 3, 6));
    assert.ok(Math.abs(share - 0.5) < 0.08, `backend fails ${share}`);
    // Attempts per call: 1 + 0.5 + 0.25 (a second's attempts include retries of calls of the second before).
    const amplification = meanOf(backend.retryAmplification, 3, 6);
    assert.ok(amplification > 1.4 && amplification < 1.8, `callers retry: ${amplification}`);
    assert.equal(meanOf(main.errors, 0, 2), 0);
    const failed = meanOf(main.errors, 3, 6) / meanOf(main.offered, 3, 6);
    assert.ok(failed > 0.07 && failed < 0.16, `users see ${failed} fail: about 0.5^3`);
    assert.equal(meanOf(main.errors, 8), 0);
  });

  it("surge: twice the arrivals for the surge's length", async () => {
    const result = await simulate(
      twoTier(STORM_FREE, "capacity: 400"),
      { kind: "surge", factor: 2, afterMs: 3000, durationMs: 3000 },
      { durationMs: 9000 },
    );
    const offered = result.series.journeys["main"]?.offered ?? [];
    const ratio = meanOf(offered, 3, 6) / meanOf([...offered.slice(0, 3), ...offered.slice(6)]);
    assert.ok(Math.abs(ratio - 2) < 0.15, `offered ${offered}`);
  });

  it("retry-storm: callers of the target retry at once, tripling its attempts once its answers time out", async () => {
    const spike = { target: "backend", factor: 3, afterMs: 5000, durationMs: 5000 } as const;
    const options = { durationMs: 15_000, admission: false } as const;
    const storm = await simulate(twoTier(STORM_FREE), { kind: "retry-storm", ...spike }, options);
    const calm = await simulate(twoTier(STORM_FREE), { kind: "latency-spike", ...spike }, options);
    const amplification = (r: typeof storm) => meanOf(r.series.services["backend"]?.retryAmplification ?? [], 7, 15);
    assert.ok(amplification(storm) > 2.5, `storm ${amplification(storm)}`);
    assert.ok(amplification(calm) < 1.2, `spec policies ${amplification(calm)}`);
  });

  it("a daily curve: 10% of the peak at midnight, the peak at noon", async () => {
    const spec = twoTier(STORM_FREE, "capacity: 400");
    const night = await simulate(spec, { kind: "steady" }, { durationMs: 10_000, curve: "daily", startHour: 0 });
    const noon = await simulate(spec, { kind: "steady" }, { durationMs: 10_000, curve: "daily", startHour: 12 });
    const at = (r: typeof night) => meanOf(r.series.journeys["main"]?.offered ?? []);
    assert.ok(Math.abs(at(night) / 60 - 1) < 0.15, `midnight ${at(night)}/s`);
    assert.ok(Math.abs(at(noon) / 600 - 1) < 0.05, `noon ${at(noon)}/s`);
  });

  it("autoscaling: after a zone loss web scales out in the zones left, and the new instances serve after start-up", async () => {
    const result = await simulate(
      clicktravel,
      { kind: "zone-loss", zone: "us-central1-a", afterMs: 2000 },
      { durationMs: 40_000, health: { outlier: false } },
    );
    const web = result.series.services["web"];
    assert.ok(web);
    assert.equal(web.instances[0], 8);
    assert.equal(web.instancesUp[1], 6);
    // min 8 over the 3 zones left: 2 more at the autoscaler's next decision (every 5 s).
    const first = web.instances.findIndex((n) => n > 8);
    assert.ok(first >= 1 && first <= 6, `scaled out at ${first} s`);
    // They serve only after web's 15 s start-up.
    assert.equal(Math.max(...web.instancesUp.slice(1, first + 14)), 6);
    assert.ok((web.instancesUp[first + 17] as number) > 6, `up ${web.instancesUp}`);
    // Shedding (callers hold web's slots while inventory, overloaded, asks them to retry later) reads as
    // load: web goes on to its max of 16 in the zones left (the 2 lost instances stay counted), and sheds
    // nothing once they all serve.
    assert.equal(web.instances.at(-1), 18);
    assert.equal(web.instancesUp.at(-1), 16);
    assert.equal(web.shed.at(-1), 0);
  });

  it("a placed store without a replica is restored from backups kept elsewhere, after its restore time", async () => {
    const spec = specOf(`
name: OneDb
platform:
  regions:
    r1: [r1-a, r1-b]
services:
  api:
    zones: [r1-a, r1-b]
    instances: 2
    capacity: 500
    load: 200
    health: { check: /readyz, dependencies: true, autoheal: true }
    calls:
      db: {}
stores:
  db:
    engine: postgres
    zone: r1-b
    backups: { every: 24h, at: other-region, restore: 5s }
journeys:
  main: { entry: api }
`);
    const result = await simulate(spec, { kind: "zone-loss", zone: "r1-b", afterMs: 2000 }, { durationMs: 12_000 });
    assert.deepEqual(result.timeline, [
      { atMs: 2000, what: "lost r1-b" },
      { atMs: 2000, what: "db restored from backups" },
      { atMs: 7000, what: "db serves again" },
    ]);
    const goodput = result.series.journeys["main"]?.goodput ?? [];
    assert.ok(meanOf(goodput, 3, 7) < 20, `while restoring: ${goodput}`);
    assert.ok(meanOf(goodput, 9) > 180, `after: ${goodput}`);
  });
});
