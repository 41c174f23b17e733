// The codes, the sources and the docs are kept in step by
// scripts/error-codes.test.ts (one mechanism for every package); this file
// checks the family.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, NinesError } from "@nines/core";
import { GUARD_ERRORS, GuardError } from "./errors.js";

describe("guard errors", () => {
  it("throws the GuardError family: a coded NinesError whose stack trace says GuardError", () => {
    const error = new GuardError(GUARD_ERRORS.journalUnreadable, "cannot read the crash journal /x", {
      hint: "fix it",
    });
    assert.ok(error instanceof NinesError);
    assert.ok(isNinesError(error, GUARD_ERRORS.journalUnreadable));
    assert.equal(error.name, "GuardError");
    assert.match(String(error.stack), /^GuardError: cannot read the crash journal/);
  });
});
