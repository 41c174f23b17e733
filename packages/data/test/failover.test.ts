import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { failoverRetry } from "../src/failover/failover-retry.js";
import { type FailoverDrillResult, runFailoverDrill } from "./support/failover-drill.js";
import { postgresBinariesOrSkip } from "./support/server-binaries.js";

describe("failover of a synchronous primary/standby pair", postgresBinariesOrSkip(), () => {
  let result: FailoverDrillResult;
  const progress: string[] = [];

  before(async () => {
    result = await runFailoverDrill({
      policy: failoverRetry({ idempotent: true, random: new SeededRandom(7) }),
      writesBeforeCrash: 200,
      writesAfterFailover: 100,
      onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.message ?? ""}`),
    });
  });

  it("keeps every acknowledged write through a SIGKILL of the primary (RPO 0) and measures the RTO", (t) => {
    for (const line of progress) t.diagnostic(line);
    t.diagnostic(`measured: RTO ${result.rtoMs} ms, promoted after ${result.promotedAfterMs} ms, lost ${result.lost}`);
    assert.equal(result.acknowledged, 300);
    assert.equal(result.lost, 0, "an acknowledged write was lost: synchronous replication did not hold");
    // Three failed checks 200 ms apart must pass before promotion; writes resume after it.
    assert.ok(result.promotedAfterMs >= 400, `promoted too early: ${result.promotedAfterMs} ms`);
    assert.ok(result.rtoMs >= result.promotedAfterMs, "a write was acknowledged before the standby was promoted");
    assert.ok(result.rtoMs < 15_000, `writes were refused for ${result.rtoMs} ms`);
  });

  it("reports degraded synchronous replication while the standby is away", () => {
    const { replication } = result;
    assert.equal(replication.healthy.mode, "sync");
    assert.equal(replication.healthy.degraded, false);
    assert.equal(replication.healthy.standbys[0]?.syncState, "sync");
    assert.equal(replication.standbyDown.degraded, true);
    assert.match(replication.standbyDown.reason ?? "", /no standby is connected/);
    assert.equal(replication.recovered.degraded, false);
  });
});
