import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { circuitBreaker } from "./circuit-breaker.js";
import { RESILIENCE_ERRORS } from "./errors.js";
import { keyedPolicies } from "./keyed.js";
import { retryBudget } from "./retry-budget.js";

describe("keyed policies", () => {
  test("each key gets its own breaker and budget from the factory; one host failing opens only its breaker", async () => {
    const clock = new ManualClock(0);
    const created: string[] = [];
    const perHost = keyedPolicies({
      clock,
      create: (host) => {
        created.push(host);
        return {
          breaker: circuitBreaker({ name: host, clock, window: { kind: "consecutive", failureThreshold: 2 } }),
          budget: retryBudget({ clock, ratio: 0.5, minRetriesPerSecond: 0 }),
        };
      },
    });
    for (let i = 0; i < 2; i++)
      await assert.rejects(perHost.get("a.example").breaker.execute(() => Promise.reject(new Error("down"))));
    await assert.rejects(
      perHost.get("a.example").breaker.execute(() => "x"),
      (e) => isNinesError(e, RESILIENCE_ERRORS.circuitOpen),
    );
    assert.equal(await perHost.get("b.example").breaker.execute(() => "ok"), "ok");
    perHost.get("b.example").budget.recordRequest();
    perHost.get("b.example").budget.recordRequest();
    assert.equal(perHost.get("b.example").budget.balance, 1);
    assert.equal(perHost.get("a.example").budget.balance, 0);
    assert.deepEqual(created, ["a.example", "b.example"]);
    assert.equal(perHost.get("a.example"), perHost.get("a.example"));
  });

  test("maxSize evicts the least recently used key", () => {
    const evicted: string[] = [];
    const registry = keyedPolicies({
      create: (key) => ({ key }),
      maxSize: 3,
      onEvict: (key, _p, reason) => evicted.push(`${key}:${reason}`),
    });
    registry.get("a");
    registry.get("b");
    registry.get("c");
    registry.get("a"); // a is now the most recent
    registry.get("d"); // evicts b
    assert.deepEqual(registry.keys(), ["c", "a", "d"]);
    assert.deepEqual(evicted, ["b:size"]);
    assert.equal(registry.size, 3);
    assert.equal(registry.peek("b"), undefined);
    assert.equal(registry.delete("c"), true);
    assert.equal(registry.delete("c"), false);
    assert.deepEqual(evicted, ["b:size", "c:deleted"]);
  });

  test("keys idle for idleMs or more leave on the clock; a use refreshes the key", async () => {
    const clock = new ManualClock(0);
    const evicted: string[] = [];
    const registry = keyedPolicies({
      clock,
      create: (key) => ({ key, fresh: Symbol(key) }),
      idleMs: 1000,
      onEvict: (key, _p, reason) => evicted.push(`${key}:${reason}`),
    });
    const first = registry.get("a");
    registry.get("b");
    await clock.advance(600);
    registry.get("a");
    await clock.advance(399); // b idle 999 ms
    assert.equal(registry.sweep(), 0);
    await clock.advance(1); // b idle 1000 ms
    assert.equal(registry.sweep(), 1);
    assert.deepEqual(registry.keys(), ["a"]);
    await clock.advance(600); // a idle 1000 ms: get() evicts it before looking up, then builds a fresh one
    const again = registry.get("a");
    assert.notEqual(again.fresh, first.fresh);
    assert.deepEqual(evicted, ["b:idle", "a:idle"]);
  });

  test("rejects bad options", () => {
    assert.throws(
      () => keyedPolicies({ create: () => 1, maxSize: 0 }),
      (e) => isNinesError(e, "NINES_OPTION_INVALID") && /maxSize/.test(e.message),
    );
    assert.throws(
      () => keyedPolicies({ create: () => 1, idleMs: 0 }),
      (e) => isNinesError(e, "NINES_OPTION_INVALID") && /idleMs/.test(e.message),
    );
    assert.throws(
      () => keyedPolicies({} as never),
      (e) => isNinesError(e, "NINES_OPTION_INVALID") && /create/.test(e.message),
    );
  });
});
