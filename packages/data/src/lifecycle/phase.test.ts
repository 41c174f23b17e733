import assert from "node:assert/strict";
import { it } from "node:test";
import { phaseAt } from "./phase.js";

it("puts each instant in exactly one phase, on half-open intervals", () => {
  const stamps = { deletedAt: 100, softAt: 200, purgeAt: 300 };
  assert.equal(phaseAt({ deletedAt: null, softAt: null, purgeAt: null }, 150), "live");
  assert.equal(phaseAt(stamps, 100), "trash");
  assert.equal(phaseAt(stamps, 199), "trash");
  assert.equal(phaseAt(stamps, 200), "soft");
  assert.equal(phaseAt(stamps, 299), "soft");
  assert.equal(phaseAt(stamps, 300), "purged");
  // An emptied trash: softAt equals deletedAt, so the row is soft-deleted at once.
  assert.equal(phaseAt({ deletedAt: 100, softAt: 100, purgeAt: 300 }, 100), "soft");
});
