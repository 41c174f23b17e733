import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSpec } from "../../test/support/build-spec.js";
import { clicktravelFixture } from "../../test/support/clicktravel-fixture.js";
import { describeLocation, resourceRows, scenarioRows } from "./dr-tables.js";

describe("DR tables", () => {
  const { spec, result } = clicktravelFixture();

  it("gives each scenario its objectives, what is achieved and whether it is met", () => {
    const [deletion, crash] = scenarioRows(result);
    assert.deepEqual(
      { ...crash },
      {
        subject: "orders-db",
        scenario: "Orders database crashed",
        kind: "crash",
        rpo: "0",
        rto: "5m",
        priority: "high",
        achievedRpo: "0",
        achievedRto: "1m",
        mechanism: "sync replica",
        met: true,
      },
    );
    assert.equal(deletion?.met, false);
    const unrecoverable = scenarioRows({
      ...result,
      disasters: [{ ...result.disasters[0]!, mechanism: null, rpo: { objective: 0, achieved: null }, met: false }],
    })[0];
    assert.deepEqual([unrecoverable?.mechanism, unrecoverable?.achievedRpo], ["none", "—"]);
  });

  it("describes each store's protection, where copies are kept and how to recover, in order", () => {
    const orders = resourceRows(spec)[0]!;
    assert.equal(orders.resource, "orders-db");
    assert.equal(orders.strategy, "replica in us-central1-f (sync); backups every 1d; log every 5m");
    assert.equal(orders.location, "backups: multi-region; log: multi-region");
    assert.equal(
      orders.procedure,
      "fail over to the replica (1m); else point-in-time restore from backups + log (30m, tested 2026-09-15)",
    );
    const bare = buildSpec({ regions: { r: ["a"] }, stores: [{ name: "cache", zone: "a" }] });
    assert.deepEqual(resourceRows(bare)[0], {
      resource: "cache",
      strategy: "none",
      location: "none",
      procedure: "none: the data cannot be recovered",
    });
    assert.equal(describeLocation({ kind: "region", region: "europe-west2" }), "europe-west2");
  });
});
