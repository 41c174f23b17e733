import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoadBalancer, LoadBalancerEvents } from "../src/balancer/load-balancer.js";
import { FaultProxy } from "../src/fault/fault-proxy.js";
import { type After, balancer, call, type Instance, instance } from "./balancer-instances.js";

type Ejected = LoadBalancerEvents["ejected"];

function ejections(lb: LoadBalancer): Ejected[] {
  const seen: Ejected[] = [];
  lb.on("ejected", (e) => seen.push(e));
  return seen;
}

async function send(url: string, n: number, method = "POST"): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await call(url, method, "x")).status);
  return statuses;
}

async function group(t: After, behaviours: Instance["behaviour"][]): Promise<Instance[]> {
  return await Promise.all(behaviours.map((b, i) => instance(t, `a${i}`, "a", b)));
}

const LONG = { baseEjectionMs: 60_000, maxEjectionMs: 60_000 };

describe("outlier ejection", () => {
  for (const size of [2, 4]) {
    it(`ejects the one instance of ${size} that fails far more than its peers, then serves from the rest`, async (t) => {
      const instances = await group(t, ["fail", ...Array<"ok">(size - 1).fill("ok")]);
      const lb = balancer(t, instances, { outlier: { minimumCalls: 10, ...LONG } });
      const seen = ejections(lb);
      const { url } = await lb.listen({ zone: "a" });
      const statuses = await send(url, 30 * size);
      assert.deepEqual(
        seen.map((e) => [e.backend, e.reason]),
        [["a0", "failureRate"]],
      );
      // The default cap (10%) is below one instance here: one is still ejected because the rest are healthy.
      assert.ok(statuses.slice(-20).every((s) => s === 200));
      const broken = instances[0] as Instance;
      assert.ok(broken.received >= 10 && broken.received < 30, `the broken instance got ${broken.received}`);
    });
  }

  it("ejects none when every instance answers 500 because of a dependency they share", async (t) => {
    const instances = await group(t, ["fail", "fail", "fail", "fail"]);
    const lb = balancer(t, instances);
    const seen = ejections(lb);
    const { url } = await lb.listen({ zone: "a" });
    const statuses = await send(url, 300);
    assert.ok(statuses.every((s) => s === 500));
    assert.deepEqual(seen, []);
    for (const b of lb.snapshot().backends) {
      assert.equal(b.ejections, 0, b.id);
      assert.ok(b.responses["5xx"] >= 50, `${b.id} was judged on ${b.responses["5xx"]} answers`);
    }
  });

  it("ejects none when every instance fails half of its requests (a dependency failing at times)", async (t) => {
    const instances = await group(t, ["flaky", "flaky", "flaky", "flaky"]);
    const lb = balancer(t, instances, { outlier: { minimumCalls: 10 } });
    const seen = ejections(lb);
    const { url } = await lb.listen({ zone: "a" });
    const statuses = await send(url, 300);
    assert.ok(statuses.filter((s) => s === 500).length >= 120);
    assert.deepEqual(seen, []);
  });

  it("never counts a guard's refusal: a shedding instance among serving ones stays in", async (t) => {
    const instances = await group(t, ["shed", "ok", "ok", "ok"]);
    const lb = balancer(t, instances, { outlier: { minimumCalls: 5, failureThreshold: 1 } });
    const seen = ejections(lb);
    const { url } = await lb.listen({ zone: "a" });
    assert.ok((await send(url, 120)).every((s) => s === 200));
    for (const i of instances) i.behaviour = "shed";
    assert.ok((await send(url, 30)).every((s) => s === 503));
    assert.deepEqual(seen, []);
    assert.ok((lb.snapshot().backends.find((b) => b.id === "a0")?.refusals ?? 0) >= 40);
  });

  it("holds the cap: with maxEjectedRatio 0.25, one of two broken instances of four is ejected", async (t) => {
    const instances = await group(t, ["fail", "fail", "ok", "ok"]);
    const lb = balancer(t, instances, { outlier: { minimumCalls: 10, maxEjectedRatio: 0.25, ...LONG } });
    const seen = ejections(lb);
    const { url } = await lb.listen({ zone: "a" });
    await send(url, 120);
    assert.equal(seen.length, 1);
    const kept = instances.find((i) => i.id !== seen[0]?.backend && i.behaviour === "fail") as Instance;
    const before = kept.received;
    await send(url, 60);
    assert.ok(kept.received > before, "the second broken instance stays in rotation");
    assert.equal(seen.length, 1);
  });

  it("holds the default cap on a small group: two broken of three, none ejected (the rest is not healthy)", async (t) => {
    const instances = await group(t, ["fail", "fail", "ok"]);
    const lb = balancer(t, instances);
    const seen = ejections(lb);
    const { url } = await lb.listen({ zone: "a" });
    await send(url, 300);
    assert.deepEqual(seen, []);
  });

  it("ejects an instance whose connections keep breaking (failureThreshold in a row), before its checks fail", async (t) => {
    const [a0, a1] = await group(t, ["ok", "ok"]);
    const proxy = await FaultProxy.listen({ target: Number(new URL((a0 as Instance).url).port) });
    t.after(() => proxy.close());
    const lb = balancer(t, [{ ...(a0 as Instance), url: proxy.url }, a1 as Instance], {
      healthCheck: { intervalMs: 100, timeoutMs: 500, failureThreshold: 1000 },
      outlier: LONG,
    });
    const seen = ejections(lb);
    const { url } = await lb.listen({ zone: "a" });
    proxy.setMode({ kind: "reset" });
    // GETs are retried on the other instance after a reset, so callers see none of it.
    assert.ok((await send(url, 40, "GET")).every((s) => s === 200));
    assert.deepEqual(
      seen.map((e) => [e.backend, e.reason]),
      [["a0", "consecutiveFailures"]],
    );
    assert.equal(lb.snapshot().backends.find((b) => b.id === "a0")?.errors, 5);
  });
});
