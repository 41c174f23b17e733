import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JourneyTally, type Part } from "./journey-tally.js";

/** A part as the domains hold it: they tell the journeys first, then update their own fields. */
function part(tally: JourneyTally): Part & { set(now: number, fraction: number, cause: Part["cause"]): void } {
  const p = {
    fraction: 1,
    cause: null as Part["cause"],
    journeys: [tally],
    set(now: number, fraction: number, cause: Part["cause"]) {
      tally.change(now, p, fraction, cause);
      p.fraction = fraction;
      p.cause = cause;
    },
  };
  tally.add(p);
  return p;
}

describe("JourneyTally", () => {
  it("credits time at the journey's fraction and charges the rest to the largest cause", () => {
    const tally = new JourneyTally("checkout", 0);
    const web = part(tally);
    const db = part(tally);
    web.set(100, 0.75, "detection"); // a quarter of requests fail for 100 ms: 25 ms lost
    web.set(200, 1, null);
    db.set(300, 0, "failover"); // down for 100 ms, and meanwhile a zone outage takes web down too
    web.set(350, 0, "zone-outage");
    db.set(400, 1, null);
    web.set(500, 1, null);
    tally.closePeriod(1000);
    assert.deepEqual(tally.periods, [(1000 - 25 - 200) / 1000]);
    assert.deepEqual([...tally.lostMs], [0, 150, 0, 0, 50, 0, 25]);
    assert.deepEqual(tally.periodIncidents, [2]);
    assert.deepEqual(tally.periodOutages, [1]);
    assert.equal(tally.incidentMs, 300);
  });
});
