// The planner cannot import @nines/guard (arrows point one way), so it writes
// guard's drain defaults and health paths again; the CLI sees both, and this
// test holds them equal: the manifests `nines k8s` writes must drain and probe
// what the guard does.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { createGuard, DRAIN_DEFAULTS as GUARD_DRAIN, guardHttpServer } from "@nines/guard";
import { drainTimeline, HEALTH_PATHS, DRAIN_DEFAULTS as SPEC_DRAIN } from "@nines/planner";

describe("@nines/guard and @nines/planner agree", () => {
  it("on the drain defaults a spec without drain gets", () => {
    assert.deepEqual({ ...SPEC_DRAIN }, { ...GUARD_DRAIN });
  });

  it("on a termination grace period longer than guard's whole default drain", () => {
    const { terminationGracePeriodSeconds } = drainTimeline(GUARD_DRAIN);
    const drainMs = GUARD_DRAIN.delayMs + GUARD_DRAIN.graceMs + GUARD_DRAIN.cleanupTimeoutMs;
    assert.ok(terminationGracePeriodSeconds * 1000 > drainMs, `${terminationGracePeriodSeconds} s`);
  });

  it("on the health paths: the ones nines k8s probes are the ones a default guard serves", async () => {
    const guard = createGuard({});
    guard.markStarted();
    const server = guardHttpServer((_req, res) => {
      res.statusCode = 404;
      res.end("the application");
    }, guard);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const path of Object.values(HEALTH_PATHS)) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        const body = await response.text();
        assert.equal(response.status, 200, `${path}: ${body}`);
        assert.notEqual(body, "the application", path);
      }
      // The application's own paths still reach it: the check above is not vacuous.
      assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
