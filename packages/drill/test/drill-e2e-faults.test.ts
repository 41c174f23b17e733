// End to end on a reduced ClickTravel (ClickTravel's code, one instance per
// zone): an instance loss, a query of death, a failing dependency, a
// deletion and a database crash, one after the other on one system.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DrillResult } from "../src/drill/drill-result.js";
import { DrillFixture, measured } from "./drill-e2e-support.js";

describe("nines drill end to end: instance, query of death, dependency, deletion, database", () => {
  const fixture = new DrillFixture();
  let results: DrillResult[] = [];
  const result = (kind: string) => results.find((r) => r.kind === kind);

  before(async () => {
    await fixture.start();
    results = await fixture.drill([
      "instance-loss",
      "query-of-death",
      "dependency-errors-inventory",
      "deletion-inventory-db",
      "db-crash",
    ]);
  });
  after(() => fixture.stop());

  it("instance loss: the killed instance is replaced, and no acknowledged booking is lost", () => {
    const r = result("instance-loss");
    const m = measured(r);
    const replaced = m.replaced.find((x) => x.instance === r?.target);
    assert.ok(replaced?.replaceMs !== null && replaced?.replaceMs !== undefined, JSON.stringify(m.replaced));
    assert.equal(r?.lostWrites, 0);
    assert.ok(m.acknowledgedWrites > 0, "bookings were acknowledged");
  });

  it("query of death: the poisoned request crashes inventory, the quarantine stops it, inventory comes back", () => {
    const m = measured(result("query-of-death"));
    assert.ok(m.crashes >= 1, `${m.crashes} crashes`);
    assert.ok(m.crashes <= 4, `the quarantine (after two strikes) limits the crashes: ${m.crashes}`);
    assert.ok(fixture.system.instances("inventory").every((i) => i.state === "ready"));
  });

  it("dependency fault: half of inventory's answers are 503; the amplification at inventory is measured", () => {
    const r = result("dependency-fault");
    const m = measured(r);
    assert.ok(m.amplification !== null && m.amplification > 0);
    const inventory = m.services.find((s) => s.service === "inventory");
    assert.ok(inventory?.successRatio !== null && (inventory?.successRatio ?? 1) < 1, JSON.stringify(inventory));
    assert.ok(r?.predicted.successRatio !== null);
  });

  it("deletion: every row comes back from the trash, RPO 0, within the objective", () => {
    const r = result("deletion");
    const m = measured(r);
    assert.ok(m.deletion && m.deletion.deleted > 0, JSON.stringify(m.deletion));
    assert.equal(m.deletion?.restored, m.deletion?.deleted);
    assert.equal(m.deletion?.after, m.deletion?.before);
    assert.equal(m.deletion?.mechanism, "lazy-deletion");
    assert.equal(r?.lostWrites, 0);
    assert.equal(r?.verdict, "met", r?.reason);
  });

  it("database crash: the standby is promoted and no acknowledged booking is lost (RPO 0)", () => {
    const r = result("db-crash");
    const m = measured(r);
    assert.ok(m.rpoChecked);
    assert.ok(m.promoteMs !== null, "the watch promoted the standby");
    assert.equal(r?.lostWrites, 0, r?.reason);
    assert.equal(fixture.system.database("orders-db")[0]?.zone, "zone-b", "the primary is now in the replica's zone");
  });
});
