// The runtime every ClickTravel service shares, without processes: the
// capacity rule and the worker slots on a manual clock, the admission
// queue's waits, the environment contract and the router.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Clock, isNinesError, ManualClock } from "@nines/core";
import { capacityPlan, WorkerSlots } from "../src/runtime/capacity.js";
import { parseCalls, readConfig, urlVariable } from "../src/runtime/config.js";
import { CLICKTRAVEL_ERRORS } from "../src/runtime/errors.js";
import { Router } from "../src/runtime/router.js";
import { queueTimeouts } from "../src/runtime/service-host.js";

describe("capacity rule", () => {
  test("slots / service time is the capacity, with a 50 ms service time where it can", () => {
    for (const capacity of [1, 7.5, 10, 15, 20, 25, 40, 120, 500]) {
      const plan = capacityPlan(capacity);
      assert.ok(Number.isInteger(plan.slots) && plan.slots >= 1);
      assert.ok(Math.abs((plan.slots * 1000) / plan.serviceTimeMs - capacity) < 1e-9, `capacity ${capacity}`);
    }
    assert.deepEqual(capacityPlan(40), { capacity: 40, slots: 2, serviceTimeMs: 50 });
    assert.deepEqual(capacityPlan(500), { capacity: 500, slots: 25, serviceTimeMs: 50 });
    assert.deepEqual(capacityPlan(10), { capacity: 10, slots: 1, serviceTimeMs: 100 });
  });

  test("the queue waits fit a 300 ms budget and 4 service times", () => {
    assert.deepEqual(queueTimeouts(capacityPlan(20), 2), { targetMs: 200, intervalMs: 250 });
    assert.deepEqual(queueTimeouts(capacityPlan(10), 2), { targetMs: 100, intervalMs: 200 });
    assert.deepEqual(queueTimeouts(capacityPlan(25), 4), { targetMs: 140, intervalMs: 180 });
    assert.equal(queueTimeouts(capacityPlan(2), 2).targetMs, 20, "never under 20 ms");
  });
});

describe("worker slots", () => {
  test("each request holds a slot for the service time; the others wait in arrival order", async () => {
    const clock = new ManualClock(0);
    const workers = new WorkerSlots(capacityPlan(40), { clock }); // 2 slots of 50 ms
    const done: [number, number][] = [];
    const all = [0, 1, 2, 3, 4].map((i) => workers.serve().then(() => done.push([i, clock.now()])));
    await clock.runAll();
    await Promise.all(all);
    assert.deepEqual(done, [
      [0, 50],
      [1, 50],
      [2, 100],
      [3, 100],
      [4, 150],
    ]);
  });

  test("late timers do not cost capacity: the next sleep in the slot is shorter by the lateness", async () => {
    const manual = new ManualClock(0);
    // Every timer fires 10 ms late, as on a busy machine.
    const late: Clock = {
      now: () => manual.now(),
      sleep: (ms, signal) => manual.sleep(ms + 10, signal),
      schedule: (ms, fn) => manual.schedule(ms + 10, fn),
    };
    const workers = new WorkerSlots(capacityPlan(20), { clock: late }); // 1 slot of 50 ms
    const all = Array.from({ length: 10 }, () => workers.serve());
    await manual.runAll();
    await Promise.all(all);
    // Without carrying the lateness over: 10 x 60 = 600 ms.
    assert.equal(manual.now(), 60 + 9 * 50);
  });

  test("a request whose client left gives up its place in the queue", async () => {
    const clock = new ManualClock(0);
    const workers = new WorkerSlots(capacityPlan(20), { clock });
    const first = workers.serve();
    const gone = new AbortController();
    const second = workers.serve(gone.signal);
    gone.abort();
    await assert.rejects(second);
    assert.equal(workers.waiting, 0);
    await clock.runAll();
    await first;
  });
});

describe("environment contract", () => {
  test("defaults, and the variables read", () => {
    const config = readConfig("web", { NINES_CAPACITY: "25", ZONE: "us-central1-a", PORT: "8080" });
    assert.equal(config.capacity, 25);
    assert.equal(config.port, 8080);
    assert.equal(config.zone, "us-central1-a");
    assert.equal(config.host, "127.0.0.1");
    assert.deepEqual(readConfig("web", {}).calls, []);
    assert.equal(readConfig("web", {}).capacity, 100);
    assert.equal(urlVariable("orders"), "ORDERS_URL");
    assert.equal(urlVariable("orders-db"), "ORDERS_DB_URL");
  });

  test("bad values are refused naming the variable and the fix", () => {
    const refused = (env: Record<string, string>, variable: string) =>
      assert.throws(
        () => readConfig("web", env),
        (e: unknown) =>
          isNinesError(e, CLICKTRAVEL_ERRORS.config) &&
          (e as Error).message.includes(variable) &&
          (e as { hint?: string }).hint !== undefined,
      );
    refused({ NINES_CAPACITY: "0" }, "NINES_CAPACITY");
    refused({ NINES_CAPACITY: "many" }, "NINES_CAPACITY");
    refused({ PORT: "70000" }, "PORT");
    refused({ NINES_DRAIN_DELAY_MS: "-1" }, "NINES_DRAIN_DELAY_MS");
    refused({ NINES_CALLS: "{not json" }, "NINES_CALLS");
    refused({ NINES_CALLS: '{"target":"orders"}' }, "NINES_CALLS");
    refused({ NINES_CALLS: '[{"target":"orders","retries":-1}]' }, "NINES_CALLS[0]");
    refused({ NINES_CALLS: '[{"target":"orders"},{"target":"orders"}]' }, "NINES_CALLS");
  });

  test("NINES_CALLS takes the planner's Call as nines up writes it", () => {
    const calls = parseCalls(
      JSON.stringify([
        {
          target: "orders",
          targetKind: "service",
          optional: false,
          retries: 2,
          backoff: "exponential",
          jitter: true,
          breaker: true,
          budget: null,
          timeoutMs: null,
        },
        { target: "inventory", retries: 3, backoff: "none", budget: null },
      ]),
    );
    assert.deepEqual(
      calls.map((c) => c.target),
      ["orders", "inventory"],
    );
  });
});

describe("router", () => {
  const handler = () => ({ json: {} });
  const router = new Router([
    { method: "GET", pattern: "/trips", handler },
    { method: "GET", pattern: "/trips/:id", handler },
    { method: "POST", pattern: "/trips/:id/reservations", handler },
  ]);

  test("matches method and path, decodes parameters, names the template", () => {
    assert.deepEqual(router.match("GET", "/trips/rome%201")?.params, { id: "rome 1" });
    assert.equal(router.match("POST", "/trips/rome-1/reservations")?.route.pattern, "/trips/:id/reservations");
    assert.equal(router.match("DELETE", "/trips/rome-1"), undefined);
    assert.equal(router.match("GET", "/trips/a/b"), undefined);
    assert.equal(router.templateOf("GET", "/trips/rome-1?x=1"), "/trips/:id");
    assert.equal(router.templateOf("GET", "/nowhere"), "unmatched");
    assert.deepEqual(router.match("GET", "/trips/%E0%A4%A")?.params, { id: "%E0%A4%A" }, "a bad escape is kept");
  });
});
