import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { createGuard } from "./guard.js";

describe("createGuard", () => {
  it("maps GET/HEAD on the endpoint paths (configurable, or off) and nothing else", () => {
    const guard = createGuard({ clock: new ManualClock(), paths: { readiness: "/health/ready", metrics: false } });
    assert.equal(guard.endpointFor("GET", "/health/ready"), "readiness");
    assert.equal(guard.endpointFor("HEAD", "/livez"), "liveness");
    assert.equal(guard.endpointFor("POST", "/livez"), undefined);
    assert.equal(guard.endpointFor("GET", "/readyz"), undefined);
    assert.equal(guard.endpointFor("GET", "/metrics"), undefined);
    assert.deepEqual(
      guard
        .endpointPaths()
        .map(([path]) => path)
        .sort(),
      ["/health/ready", "/livez", "/startupz"],
    );
  });

  it("validates options when built, naming the option", () => {
    const bad: [unknown, RegExp][] = [
      [{ paths: { liveness: "livez" } }, /paths.liveness must be a path starting with \//],
      [{ paths: { liveness: "/x", readiness: "/x" } }, /paths.readiness/],
      [{ maxBodyBytes: -1 }, /maxBodyBytes/],
      [{ handlerTimeoutMs: 0 }, /handlerTimeoutMs/],
      [{ drain: { graceMs: Number.NaN } }, /graceMs/],
      [{ metrics: { maxRoutes: 0 } }, /maxRoutes/],
      [{ metrics: { buckets: [1, 0.5] } }, /buckets/],
      [{ server: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }, /headersTimeoutMs must be <= requestTimeoutMs/],
      [{ server: { maxHeaderSize: 0 } }, /maxHeaderSize/],
      [{ handlerTimeout: 5 }, /guard: unknown option handlerTimeout/],
      [{ drain: { graceMS: 5 } }, /guard drain: unknown option graceMS/],
      [{ server: { headerTimeoutMs: 5 } }, /guard server: unknown option headerTimeoutMs/],
      [{ metrics: { maxRoute: 5 } }, /guard metrics: unknown option maxRoute/],
      [{ readiness: [{ name: "db", check: () => 1, timeout: 5 }] }, /health check "db": unknown option timeout/],
    ];
    for (const [options, message] of bad)
      assert.throws(
        () => createGuard(options as Parameters<typeof createGuard>[0]),
        (e: unknown) => {
          assert.equal((e as { code?: string }).code, "NINES_OPTION_INVALID");
          assert.match((e as Error).message, message);
          return true;
        },
      );
  });
});
