import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, SeededRandom } from "@nines/core";
import { RESILIENCE_ERRORS } from "@nines/resilience";
import { SimClock } from "../engine/sim-clock.js";
import { constant } from "../random/distributions.js";
import { SimInstance, type SimInstanceOptions } from "./instance.js";

function instance(clock: SimClock, admission: SimInstanceOptions["admission"]) {
  return new SimInstance({
    service: "inventory",
    name: "inventory-a-0",
    clock,
    random: new SeededRandom(1),
    workers: 1,
    serviceTime: constant(10),
    admission,
  });
}

/** Settles a request into a line: when it ended and how. */
function track(clock: SimClock, request: Promise<void>, log: string[], name: string): void {
  request.then(
    () => log.push(`${name} ok at ${clock.now()}`),
    (error: unknown) => log.push(`${name} ${isNinesError(error) ? error.code : String(error)} at ${clock.now()}`),
  );
}

describe("SimInstance", () => {
  it("admits through the real guard and answers a refusal as httpFetch would", async () => {
    const clock = new SimClock();
    const server = instance(clock, { limit: 1, maxQueue: 1 });
    const errors: unknown[] = [];
    const log: string[] = [];
    // a runs from 0, b waits in the queue from 1, c finds the queue full at 2.
    track(clock, server.handle(Number.POSITIVE_INFINITY), log, "a");
    clock.schedule(1, () => track(clock, server.handle(Number.POSITIVE_INFINITY), log, "b"));
    clock.schedule(2, () => {
      server.handle(Number.POSITIVE_INFINITY).catch((error: unknown) => errors.push(error));
    });
    await clock.runAll();
    assert.deepEqual(log, ["a ok at 10", "b ok at 20"]);
    const [refusal] = errors;
    assert.ok(isNinesError(refusal, RESILIENCE_ERRORS.overloaded));
    assert.equal(refusal.details["rejected"], "shed");
    assert.equal((refusal.details["retryAfterMs"] as number) % 1000, 0);
    assert.equal(server.inflight, 0);
  });

  it("queues everything without admission control", async () => {
    const clock = new SimClock();
    const server = instance(clock, false);
    const log: string[] = [];
    for (const name of ["a", "b", "c"]) track(clock, server.handle(Number.POSITIVE_INFINITY), log, name);
    assert.equal(server.queued, 2);
    await clock.runAll();
    assert.deepEqual(log, ["a ok at 10", "b ok at 20", "c ok at 30"]);
  });

  it("holds its slot through the downstream calls and fails with a 503 when one fails", async () => {
    const clock = new SimClock();
    const server = instance(clock, false);
    const log: string[] = [];
    const failing = () => clock.sleep(5).then(() => Promise.reject(new Error("db down")));
    track(
      clock,
      server.handle(Number.POSITIVE_INFINITY, "normal", () => clock.sleep(5)),
      log,
      "ok",
    );
    let failure: unknown;
    server.handle(Number.POSITIVE_INFINITY, "normal", failing).catch((error: unknown) => {
      failure = error;
    });
    await clock.runAll();
    assert.deepEqual(log, ["ok ok at 15"]);
    assert.ok(isNinesError(failure, RESILIENCE_ERRORS.httpStatus));
    assert.equal(failure.details["status"], 503);
    assert.equal(clock.now(), 25, "the second request's service started when the first's ended, at 10");
  });

  it("crashes: new requests are refused, requests inside fail with a reset when their work ends", async () => {
    const clock = new SimClock();
    const server = instance(clock, {});
    const log: string[] = [];
    const kind = (error: unknown) => (isNinesError(error) ? `${error.code}/${error.details["kind"]}` : String(error));
    const trackKind = (request: Promise<void>, name: string) =>
      request.then(
        () => log.push(`${name} ok at ${clock.now()}`),
        (error: unknown) => log.push(`${name} ${kind(error)} at ${clock.now()}`),
      );
    void trackKind(server.handle(Number.POSITIVE_INFINITY), "inside");
    clock.schedule(3, () => {
      server.fail("refused");
      void trackKind(server.handle(Number.POSITIVE_INFINITY), "after");
    });
    await clock.runAll();
    assert.deepEqual(log, [
      `after ${RESILIENCE_ERRORS.network}/refused at 3`,
      `inside ${RESILIENCE_ERRORS.network}/reset at 10`,
    ]);
    server.start(5);
    void trackKind(server.handle(Number.POSITIVE_INFINITY), "starting");
    await clock.runAll();
    void trackKind(server.handle(Number.POSITIVE_INFINITY), "restarted");
    await clock.runAll();
    assert.deepEqual(log.slice(2), [`starting ${RESILIENCE_ERRORS.network}/refused at 10`, "restarted ok at 25"]);
  });

  it("cut off by a lost zone: nothing answers, inside or new, until the callers give up", async () => {
    const clock = new SimClock();
    const server = instance(clock, {});
    const log: string[] = [];
    track(clock, server.handle(Number.POSITIVE_INFINITY), log, "inside");
    clock.schedule(3, () => {
      server.fail("hang");
      track(clock, server.handle(Number.POSITIVE_INFINITY), log, "after");
    });
    await clock.runAll();
    assert.deepEqual(log, []);
    assert.equal(clock.pending, 0, "nothing is scheduled for them: only a caller's timeout ends the wait");
  });

  it("answers an injected error with a 500 and counts what it served late", async () => {
    const clock = new SimClock();
    const tally = { served: 0, late: 0, failed: 0, shed: 0 };
    const fault = { slowdown: 1, errorRate: 1 };
    const server = new SimInstance({
      service: "inventory",
      name: "inventory-a-0",
      clock,
      random: new SeededRandom(1),
      workers: 1,
      serviceTime: constant(10),
      admission: false,
      fault,
      tally,
    });
    let failure: unknown;
    server.handle(Number.POSITIVE_INFINITY).catch((error: unknown) => {
      failure = error;
    });
    await clock.runAll();
    assert.ok(isNinesError(failure, RESILIENCE_ERRORS.httpStatus));
    assert.equal(failure.details["status"], 500);
    fault.errorRate = 0;
    const late = server.handle(clock.now() + 5); // served at +10: after its caller's deadline
    await clock.runAll();
    await late;
    assert.deepEqual(tally, { served: 1, late: 1, failed: 1, shed: 0 });
  });
});
