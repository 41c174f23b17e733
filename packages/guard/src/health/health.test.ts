import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { Health } from "./health.js";

describe("Health", () => {
  it("is starting until markStarted, then ready; degraded when a non-critical check is down", async () => {
    const clock = new ManualClock();
    let cacheUp = true;
    const health = new Health({
      startup: "manual",
      readiness: [
        { name: "db", check: () => undefined },
        {
          name: "cache",
          critical: false,
          failureThreshold: 1,
          cacheMs: 0,
          check: () => {
            if (!cacheUp) throw new Error("cache down");
          },
        },
      ],
      clock,
    });
    assert.equal(health.startup().httpStatus, 503);
    let report = await health.readiness();
    assert.equal(report.status, "starting");
    assert.equal(report.httpStatus, 503);
    health.markStarted();
    assert.equal(health.startup().status, "started");
    report = await health.readiness();
    assert.equal(report.status, "ready");
    assert.equal(report.checks["db"]?.status, "up");
    cacheUp = false;
    report = await health.readiness();
    assert.equal(report.status, "degraded");
    assert.equal(report.httpStatus, 200);
    assert.equal(report.checks["cache"]?.error, "cache down");
  });

  it("is unready when a critical check is down; draining fails readiness but not liveness", async () => {
    const clock = new ManualClock();
    const health = new Health({
      readiness: [{ name: "db", check: () => false }],
      liveness: [{ name: "loop", check: () => true }],
      clock,
    });
    const changes: boolean[] = [];
    health.on("readinessChange", (e) => changes.push(e.ready));
    assert.equal((await health.readiness()).status, "unready");
    const ok = new Health({ clock });
    assert.equal((await ok.readiness()).status, "ready");
    ok.markDraining();
    assert.equal((await ok.readiness()).status, "draining");
    assert.equal((await ok.readiness()).httpStatus, 503);
    assert.equal((await ok.liveness()).httpStatus, 200);
    assert.equal((await health.liveness()).checks["loop"]?.status, "up");
    assert.deepEqual(changes, [false]);
  });

  it("refuses duplicate check names", () => {
    assert.throws(
      () =>
        new Health({
          readiness: [
            { name: "db", check: () => 1 },
            { name: "db", check: () => 1 },
          ],
          clock: new ManualClock(),
        }),
      /unique/,
    );
  });
});
