import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import type { InstanceMetrics } from "../metrics/instance-metrics.js";
import type { InstanceInfo } from "../process/service-run.js";
import { Autoscaler, type AutoscaleTarget, type Scalable, spread } from "./autoscaler.js";

/** Instances kept in memory, resized at once: the decisions are what is tested here. */
class Fleet implements Scalable {
  readonly lost: string[] = [];
  readonly calls: string[] = [];
  #instances: InstanceInfo[] = [];

  constructor(perZone: Record<string, number>) {
    for (const [zone, n] of Object.entries(perZone)) this.#resize("web", zone, n);
  }

  instances(): InstanceInfo[] {
    return this.#instances;
  }

  lostZones(): string[] {
    return this.lost;
  }

  async setInstances(service: string, zone: string, count: number): Promise<void> {
    this.calls.push(`${zone}=${count}`);
    this.#resize(service, zone, count);
  }

  #resize(service: string, zone: string, count: number): void {
    const others = this.#instances.filter((i) => !(i.service === service && i.zone === zone));
    const mine = Array.from({ length: count }, (_, n) => ({
      id: `${service}-${zone}-${n}`,
      service,
      zone,
      region: "r",
      port: 0,
      url: "",
      state: "ready" as const,
      pid: null,
      generation: 0,
      readyAt: 0,
    }));
    this.#instances = [...others, ...mine];
  }
}

function metrics(fleet: Fleet, rps: number): Map<string, InstanceMetrics> {
  return new Map(
    fleet.instances().map((i) => [
      i.id,
      {
        instance: i.id,
        service: i.service,
        zone: i.zone,
        requestsPerSecond: rps,
        cpu: null,
        rssBytes: null,
        breakers: {},
        at: 0,
      },
    ]),
  );
}

const target: AutoscaleTarget = {
  service: "web",
  metric: "requests-per-second",
  target: 10,
  min: 4,
  max: 9,
  zones: ["a", "b"],
};

describe("Autoscaler", () => {
  it("scales up at once by ceil(ready x value / target), spread over the zones, within max", async () => {
    const clock = new ManualClock(0);
    const fleet = new Fleet({ a: 2, b: 2 });
    let rps = 15;
    const autoscaler = new Autoscaler({
      targets: [target],
      metrics: () => metrics(fleet, rps),
      scalable: fleet,
      clock,
    });
    assert.equal(await autoscaler.evaluate(target), 6, "ceil(4 x 15 / 10)");
    assert.deepEqual(fleet.calls, ["a=3", "b=3"]);
    rps = 40;
    assert.equal(await autoscaler.evaluate(target), 9, "24 wanted, held at max 9");
    assert.equal(fleet.instances().filter((i) => i.zone === "a").length, 5);
    assert.equal(fleet.instances().filter((i) => i.zone === "b").length, 4);
  });

  it("does nothing inside the tolerance, and scales down only after a whole window of lower recommendations", async () => {
    const clock = new ManualClock(0);
    const fleet = new Fleet({ a: 3, b: 3 });
    let rps = 10.5;
    const autoscaler = new Autoscaler({
      targets: [target],
      metrics: () => metrics(fleet, rps),
      scalable: fleet,
      clock,
      scaleDownDelayMs: 30_000,
    });
    assert.equal(await autoscaler.evaluate(target), 6, "5% above target: within the 10% tolerance");
    rps = 2;
    for (let t = 5000; t < 30_000; t += 5000) {
      await clock.advance(5000);
      assert.equal(await autoscaler.evaluate(target), 6, `held at ${t} ms`);
    }
    await clock.advance(5000);
    assert.equal(await autoscaler.evaluate(target), 4, "down to min (ceil(6 x 2 / 10) = 2) after 30 s");
    assert.deepEqual(autoscaler.status()[0]?.desired, 4);
  });

  it("leaves lost zones alone and places the count in the zones that remain", async () => {
    const clock = new ManualClock(0);
    const fleet = new Fleet({ a: 2, b: 2 });
    fleet.lost.push("a");
    const autoscaler = new Autoscaler({ targets: [target], metrics: () => metrics(fleet, 20), scalable: fleet, clock });
    assert.equal(await autoscaler.evaluate(target), 4, "ceil(2 ready in b x 20 / 10)");
    assert.deepEqual(fleet.calls, ["b=4"]);
  });

  it("starts new instances only after the service's start-up time", async () => {
    const clock = new ManualClock(0);
    const fleet = new Fleet({ a: 2, b: 2 });
    const slow = { ...target, startupMs: 2000 };
    const autoscaler = new Autoscaler({ targets: [slow], metrics: () => metrics(fleet, 15), scalable: fleet, clock });
    const decision = autoscaler.evaluate(slow);
    await clock.advance(1999);
    assert.deepEqual(fleet.calls, [], "nothing started before the start-up time");
    await clock.advance(1);
    assert.equal(await decision, 6);
    assert.deepEqual(fleet.calls, ["a=3", "b=3"]);
  });

  it("spreads a count evenly, the first zones taking the remainder", () => {
    assert.deepEqual(spread(7, 3), [3, 2, 2]);
    assert.deepEqual(spread(2, 4), [1, 1, 0, 0]);
  });
});
