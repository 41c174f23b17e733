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

  it("ejects an instance that fails answers in a row, for longer each time, and never more than half", async () => {
    const clock = new SimClock();
    const nodes = [node(clock, "a0", "a"), node(clock, "a1", "a"), node(clock, "a2", "a")];
    const balancer = new Balancer(clock, new SeededRandom(4), nodes, {
      outlier: { failureThreshold: 3, baseEjectionMs: 1000 },
    });
    // A crashed process refuses connections: each refusal is a failed answer; health checks have not noticed yet.
    const a0 = nodes[0]?.instance as SimInstance;
    a0.fail();
    for (let i = 0; i < 3; i++) await a0.handle(Number.POSITIVE_INFINITY).catch(() => {});
    assert.equal(balancer.eligible, 2, "ejected at the third failure in a row");
    const a1 = nodes[1]?.instance as SimInstance;
    a1.fail();
    for (let i = 0; i < 3; i++) await a1.handle(Number.POSITIVE_INFINITY).catch(() => {});
    assert.equal(balancer.eligible, 2, "at most floor(3 x 0.5) = 1 ejected at once: a1 stays until its checks fail");
    a1.start(0);
    a0.start(0);
    await clock.advance(1000);
    assert.equal(balancer.eligible, 3, "the ejection ended and the checks pass");
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
