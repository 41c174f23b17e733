import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LoadBalancer } from "../src/balancer/load-balancer.js";
import { DRILL_ERRORS } from "../src/errors.js";
import { FaultProxy } from "../src/fault/fault-proxy.js";
import { balancer, call, instance, stop } from "./balancer-instances.js";
import { eventually } from "./support.js";

describe("LoadBalancer", () => {
  it("keeps a zone's callers in their zone and spreads a front door's over all", async (t) => {
    const a0 = await instance(t, "a0", "a");
    const a1 = await instance(t, "a1", "a");
    const b0 = await instance(t, "b0", "b");
    const lb = balancer(t, [a0, a1, b0]);
    const zoneA = await lb.listen({ zone: "a" });
    const front = await lb.listen();
    for (let i = 0; i < 40; i++) assert.equal((await call(zoneA.url, "POST", `n${i}`)).status, 200);
    assert.equal(b0.served, 0);
    assert.ok(a0.served > 5 && a1.served > 5, `${a0.served}/${a1.served}`);
    for (let i = 0; i < 60; i++) await call(front.url);
    assert.ok(b0.served > 10, `front door sent ${b0.served} to zone b`);
    const body = (await call(zoneA.url, "POST", "payload")).json();
    assert.equal(body.body, "payload");
  });

  it("spills over to another zone when the zone's instances are down, and health checks take them out", async (t) => {
    const a0 = await instance(t, "a0", "a");
    const b0 = await instance(t, "b0", "b");
    const lb = balancer(t, [a0, b0]);
    const zoneA = await lb.listen({ zone: "a" });
    await stop(a0);
    // A refused connection is safe to send elsewhere, even for a POST.
    for (let i = 0; i < 10; i++) assert.equal((await call(zoneA.url, "POST", "x")).json().id, "b0");
    assert.ok(await eventually(() => lb.snapshot().backends.find((b) => b.id === "a0")?.healthy === false, 8000));
    const snapshot = lb.snapshot();
    assert.equal(snapshot.answered["2xx"], 10);
    assert.ok(snapshot.backends.find((b) => b.id === "a0")!.errors >= 1);
  });

  it("treats a guard's refusal as overload: another instance serves, the refuser is not ejected", async (t) => {
    const a0 = await instance(t, "a0", "a");
    const a1 = await instance(t, "a1", "a");
    a0.behaviour = "shed";
    const lb = balancer(t, [a0, a1], { outlier: { failureThreshold: 2 } });
    const { url } = await lb.listen({ zone: "a" });
    for (let i = 0; i < 20; i++) assert.equal((await call(url, "POST", "x")).json().id, "a1");
    const refuser = lb.snapshot().backends.find((b) => b.id === "a0")!;
    assert.equal(refuser.ejectionEndsAt, null);
    assert.equal(refuser.ejections, 0);
    assert.ok(refuser.refusals >= 1);
    // When every instance refuses, the caller gets the refusal with its Retry-After.
    a1.behaviour = "shed";
    const refused = await call(url);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers["x-nines-rejected"], "shed");
    assert.equal(refused.headers["retry-after"], "2");
  });

  it("a partitioned zone hangs its requests until timeoutMs; health checks move traffic away", async (t) => {
    const a0 = await instance(t, "a0", "a");
    const b0 = await instance(t, "b0", "b");
    const proxy = await FaultProxy.listen({ target: Number(new URL(a0.url).port) });
    t.after(() => proxy.close());
    const lb = new LoadBalancer({
      service: "inventory",
      backends: [
        { id: "a0", zone: "a", url: proxy.url },
        { id: "b0", zone: "b", url: b0.url },
      ],
      healthCheck: { intervalMs: 100, timeoutMs: 500, failureThreshold: 2 },
      timeoutMs: 400,
    });
    t.after(() => lb.close());
    const { url } = await lb.listen({ zone: "a" });
    assert.equal((await call(url)).json().id, "a0");
    proxy.setMode({ kind: "blackhole" });
    const started = performance.now();
    const hung = await call(url, "POST", "booking");
    assert.equal(hung.status, 504, "a write that may have arrived is not sent twice");
    assert.equal(hung.json().error, DRILL_ERRORS.upstreamTimeout);
    assert.ok(performance.now() - started >= 390);
    assert.ok(await eventually(() => lb.snapshot().backends.find((b) => b.id === "a0")?.healthy === false, 8000));
    const moved = await call(url, "POST", "booking");
    assert.equal(moved.json().id, "b0");
    proxy.setMode({ kind: "pass" });
    assert.ok(await eventually(() => lb.snapshot().backends.find((b) => b.id === "a0")?.healthy === true, 8000));
    assert.equal((await call(url)).json().id, "a0");
  });

  it("sends a request whose instance died mid-way to another only when repeating it is harmless", async (t) => {
    const a0 = await instance(t, "a0", "a", "die");
    const b0 = await instance(t, "b0", "b");
    // No ejection: every request below meets the dying instance first.
    const lb = balancer(t, [a0, b0], { outlier: { failureThreshold: 1000 } });
    const { url } = await lb.listen({ zone: "a" });
    const plain = await call(url, "POST", "booking");
    assert.equal(plain.status, 502, "a write that may have arrived is not sent twice");
    assert.equal(plain.json().error, DRILL_ERRORS.upstreamFailed);
    const keyed = await call(url, "POST", "booking", { "idempotency-key": "book-42" });
    assert.equal(keyed.status, 200);
    assert.equal(keyed.json().id, "b0", "a keyed write is repeated elsewhere");
    for (const method of ["GET", "PUT", "DELETE"]) {
      assert.equal((await call(url, method)).json().id, "b0", `${method} is idempotent`);
    }
    assert.equal(a0.received, 5);
    assert.equal(lb.snapshot().retries, 4);
  });

  it("answers 503 naming the service when no instance is left", async (t) => {
    const a0 = await instance(t, "a0", "a");
    const lb = balancer(t, [a0]);
    const { url } = await lb.listen();
    await stop(a0);
    const answer = await call(url, "POST");
    assert.equal(answer.status, 503);
    assert.equal(answer.json().error, DRILL_ERRORS.noBackend);
    assert.equal(lb.snapshot().noBackend, 1);
  });

  it("with no instance healthy, still tries them (panic routing) rather than fail everything", async (t) => {
    const a0 = await instance(t, "a0", "a");
    const b0 = await instance(t, "b0", "b");
    const lb = balancer(t, [a0, b0]);
    const { url } = await lb.listen({ zone: "a" });
    a0.ready = false;
    b0.ready = false;
    assert.ok(await eventually(() => lb.snapshot().backends.every((b) => !b.healthy), 8000));
    assert.equal((await call(url, "POST")).json().id, "a0");
  });
});
