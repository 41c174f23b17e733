import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closestName, levenshtein } from "./closest-name.js";

describe("closestName", () => {
  it("suggests a likely typo and nothing for a far name", () => {
    assert.equal(closestName("zonez", ["zones", "instances"]), "zones");
    assert.equal(closestName("Zones", ["zones"]), "zones");
    assert.equal(closestName("xyz", ["zones"]), undefined);
    assert.equal(levenshtein("kitten", "sitting"), 3);
  });
});
