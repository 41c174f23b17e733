import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { SimClock } from "../engine/sim-clock.js";
import { constant } from "../random/distributions.js";
import { mmc } from "./erlang-c.js";
import { runMmc } from "./run-mmc.js";
import { Server } from "./server.js";

describe("Server", () => {
  it("serves FIFO on its workers and accounts waits and busy time exactly", async () => {
    const clock = new SimClock();
    const server = new Server({ clock, random: new SeededRandom(1), workers: 2, service: constant(10) });
    const ends: [string, number, number][] = [];
    for (const name of ["a", "b", "c", "d", "e"]) server.submit((waited) => ends.push([name, waited, clock.now()]));
    assert.equal(server.busy, 2);
    assert.equal(server.queued, 3);
    await clock.advance(40);
    assert.deepEqual(ends, [
      ["a", 0, 10],
      ["b", 0, 10],
      ["c", 10, 20],
      ["d", 10, 20],
      ["e", 20, 30],
    ]);
    const stats = server.stats();
    assert.equal(stats.meanWaitMs, 40 / 5);
    // 50 worker-ms busy out of 2 x 40.
    assert.equal(stats.utilization, 50 / 80);
    assert.equal(stats.served, 5);
  });

  it("hands each job back to one shared callback", async () => {
    const clock = new SimClock();
    const server = new Server({ clock, random: new SeededRandom(1), workers: 1, service: constant(5) });
    const ends: string[] = [];
    const done = (waited: number, job: { name: string }) => ends.push(`${job.name} waited ${waited} at ${clock.now()}`);
    for (const name of ["a", "b"]) server.submit(done, { name });
    await clock.runAll();
    assert.deepEqual(ends, ["a waited 0 at 5", "b waited 5 at 10"]);
  });

  it("resolves serve() with the wait", async () => {
    const clock = new SimClock();
    const server = new Server({ clock, random: new SeededRandom(1), workers: 1, service: constant(5) });
    const waits = Promise.all([server.serve(), server.serve()]);
    await clock.runAll();
    assert.deepEqual(await waits, [0, 5]);
  });

  it("refuses a server without workers", () => {
    const clock = new SimClock();
    assert.throws(
      () => new Server({ clock, random: new SeededRandom(1), workers: 0, service: constant(1) }),
      /workers must be an integer >= 1/,
    );
  });
});

describe("M/M/c on the engine", () => {
  it("matches Erlang C's mean wait and the utilization within 2% over a long run (M/M/10, rho 0.8)", async () => {
    // 3,000,000 customers: the standard error of the mean wait is about 0.8% (measured over seeds 1-8).
    const result = await runMmc({ servers: 10, utilization: 0.8, customers: 3_000_000, seed: 1 });
    const exact = mmc({ servers: 10, arrivalsPerMs: 8, meanServiceMs: 1 });
    assert.equal(result.customers, 3_000_000);
    assert.ok(Math.abs(result.meanWaitMs / exact.meanWaitMs - 1) < 0.02, `mean wait ${result.meanWaitMs}`);
    assert.ok(Math.abs(result.utilization / exact.utilization - 1) < 0.02, `utilization ${result.utilization}`);
  });

  it("matches Erlang C at another load (M/M/3, rho 0.6, mean service 4 ms)", async () => {
    const result = await runMmc({ servers: 3, utilization: 0.6, customers: 1_000_000, meanServiceMs: 4, seed: 2 });
    const exact = mmc({ servers: 3, arrivalsPerMs: (0.6 * 3) / 4, meanServiceMs: 4 });
    assert.ok(
      Math.abs(result.meanWaitMs / exact.meanWaitMs - 1) < 0.02,
      `mean wait ${result.meanWaitMs} vs ${exact.meanWaitMs}`,
    );
    assert.ok(Math.abs(result.utilization / exact.utilization - 1) < 0.02);
  });

  it("is deterministic: the same seed gives the same figures, another seed others", async () => {
    const a = await runMmc({ servers: 4, utilization: 0.7, customers: 20_000, seed: 9 });
    const b = await runMmc({ servers: 4, utilization: 0.7, customers: 20_000, seed: 9 });
    const c = await runMmc({ servers: 4, utilization: 0.7, customers: 20_000, seed: 10 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.notEqual(JSON.stringify(a), JSON.stringify(c));
  });
});
