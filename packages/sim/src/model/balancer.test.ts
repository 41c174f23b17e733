import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { SimClock } from "../engine/sim-clock.js";
import { constant } from "../random/distributions.js";
import { Balancer } from "./balancer.js";
import { SimInstance } from "./instance.js";

function node(clock: SimClock, name: string, zone: string) {
  const instance = new SimInstance({
    service: "orders",
    name,
    clock,
    random: new SeededRandom(1),
    workers: 1,
    serviceTime: constant(100),
    admission: false,
  });
  return { instance, zone, name };
}

/** Puts `n` requests in flight on a node (they hold it for its 100 ms service time, one after another). */
function load(target: ReturnType<typeof node>, n: number): void {
  for (let i = 0; i < n; i++) void target.instance.handle(Number.POSITIVE_INFINITY);
}

describe("Balancer", () => {
  // The cases of orderBackends' tests in @nines/drill: the same rule, the first of its order.
  it("puts the caller's zone first, least loaded first, and leaves out the ineligible", async () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "a1", "a"), node(clock, "b0", "b"), node(clock, "a2", "a")];
    const balancer = new Balancer(clock, new SeededRandom(1), nodes, {});
    nodes[3]?.instance.fail();
    await clock.advance(2000);
    load(nodes[0] as ReturnType<typeof node>, 3);
    load(nodes[1] as ReturnType<typeof node>, 1);
    assert.equal(balancer.pick("a")?.name, "a1");
  });

  it("spills over to other zones when the caller's zone has none in rotation, least loaded first", async () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "b0", "b"), node(clock, "c0", "c")];
    const balancer = new Balancer(clock, new SeededRandom(1), nodes, {});
    nodes[0]?.instance.fail();
    await clock.advance(2000);
    load(nodes[1] as ReturnType<typeof node>, 2);
    load(nodes[2] as ReturnType<typeof node>, 1);
    assert.equal(balancer.pick("a")?.name, "c0");
  });

  it("without a zone spreads equal backends evenly", () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "b0", "b"), node(clock, "c0", "c")];
    const balancer = new Balancer(clock, new SeededRandom(3), nodes, {});
    const counts: Record<string, number> = { a0: 0, b0: 0, c0: 0 };
    for (let i = 0; i < 3000; i++) {
      const name = balancer.pick(null)?.name as string;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    for (const n of Object.values(counts)) assert.ok(n > 900 && n < 1100, JSON.stringify(counts));
  });

  it("takes a crashed instance out after failureThreshold checks, and brings it back once it serves", async () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "b0", "b")];
    const balancer = new Balancer(clock, new SeededRandom(3), nodes, { intervalMs: 1000, failureThreshold: 2 });
    assert.equal(balancer.detectionMs, 2000);
    nodes[0]?.instance.fail();
    // Until two checks have failed, the balancer still sends to the crashed instance.
    assert.equal(balancer.pick("a")?.name, "a0");
    await clock.advance(2000);
    assert.equal(balancer.pick("a")?.name, "b0");
    assert.equal(balancer.eligible, 1);
    nodes[0]?.instance.start(1500);
    await clock.advance(1000);
    assert.equal(balancer.pick("a")?.name, "b0", "still starting: its readiness fails");
    await clock.advance(2000);
    assert.equal(balancer.pick("a")?.name, "a0");
    nodes[1]?.instance.fail();
    nodes[0]?.instance.fail();
    await clock.advance(2000);
    assert.equal(balancer.pick("a"), undefined);
  });

  it("ejects an instance that refuses connections in a row, for longer each time, one of a small group", async () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "a1", "a"), node(clock, "a2", "a")];
    const balancer = new Balancer(clock, new SeededRandom(4), nodes, {
      outlier: { failureThreshold: 3, baseEjectionMs: 1000 },
    });
    // A crashed process refuses connections: each is a failure to reach it; health checks have not noticed yet.
    const a0 = nodes[0]?.instance as SimInstance;
    a0.fail();
    for (let i = 0; i < 3; i++) await a0.handle(Number.POSITIVE_INFINITY).catch(() => {});
    assert.equal(balancer.eligible, 2, "ejected at the third failure in a row");
    const a1 = nodes[1]?.instance as SimInstance;
    a1.fail();
    for (let i = 0; i < 3; i++) await a1.handle(Number.POSITIVE_INFINITY).catch(() => {});
    assert.equal(balancer.eligible, 2, "floor(3 x 0.1) = 0: one may go while the others are sound, not two");
    a1.start(0);
    a0.start(0);
    await clock.advance(1000);
    assert.equal(balancer.eligible, 3, "the ejection ended and the checks pass");
  });

  it("ejects none when every instance answers 5xx alike (a dependency's outage), but one that fails among healthy ones", async () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "a1", "a"), node(clock, "a2", "a")];
    const balancer = new Balancer(clock, new SeededRandom(4), nodes, {
      outlier: { failureThreshold: 1, minimumCalls: 5 },
    });
    for (const { instance } of nodes) instance.fault.errorRate = 1;
    const all = nodes.map(async ({ instance }) => {
      for (let i = 0; i < 20; i++) await instance.handle(Number.POSITIVE_INFINITY).catch(() => {});
    });
    await clock.advance(10_000);
    await Promise.all(all);
    assert.equal(nodes[0]?.instance.tally.failed, 20);
    assert.equal(balancer.eligible, 3, "5xx answers from every instance: none is an outlier");

    // Once those left the window, the same answers from one instance among healthy ones make it an outlier.
    await clock.advance(10_000);
    for (const { instance } of nodes.slice(1)) instance.fault.errorRate = 0;
    const again = nodes.map(async ({ instance }) => {
      for (let i = 0; i < 10; i++) await instance.handle(Number.POSITIVE_INFINITY).catch(() => {});
    });
    // Ten requests of 100 ms: over before the ejection's 2000 ms are.
    await clock.advance(1500);
    await Promise.all(again);
    assert.equal(balancer.eligible, 2);
  });

  it("never counts a guard's refusal against an instance", async () => {
    const clock = new SimClock();
    const guarded = (name: string) => {
      const instance = new SimInstance({
        service: "orders",
        name,
        clock,
        random: new SeededRandom(1),
        workers: 1,
        serviceTime: constant(100),
        admission: { limit: 1, maxQueue: 0 },
      });
      return { instance, zone: "a", name };
    };
    const nodes = [guarded("a0"), guarded("a1")];
    const balancer = new Balancer(clock, new SeededRandom(4), nodes, {
      outlier: { failureThreshold: 1, minimumCalls: 5, maxEjectedRatio: 1 },
    });
    const a0 = nodes[0]?.instance as SimInstance;
    // One request holds a0's only slot; the guard refuses the other 49.
    const calls = Array.from({ length: 50 }, () => a0.handle(Number.POSITIVE_INFINITY).catch(() => {}));
    await clock.advance(1000);
    await Promise.all(calls);
    assert.equal(a0.tally.shed, 49);
    assert.equal(balancer.eligible, 2);
  });

  it("adds an instance out of rotation until a check passes, and removes one for good", async () => {
    const clock = new SimClock();
    const first = node(clock, "a0", "a");
    const balancer = new Balancer(clock, new SeededRandom(5), [first], {});
    const added = node(clock, "a1", "a");
    added.instance.start(1500);
    balancer.add(added, false);
    assert.equal(balancer.eligible, 1);
    await clock.advance(2600);
    assert.equal(balancer.eligible, 2);
    balancer.remove(first);
    assert.equal(balancer.eligible, 1);
    assert.equal(balancer.pick(null)?.name, "a1");
  });
});
