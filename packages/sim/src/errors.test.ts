// The codes, the sources and the docs are kept in step by
// scripts/error-codes.test.ts (one mechanism for every package); this file
// checks the family.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, NinesError, OPTION_INVALID } from "@nines/core";
import { SIM_ERRORS, SimError } from "./errors.js";

describe("sim errors", () => {
  it("throws the SimError family: a coded NinesError whose stack trace says SimError", () => {
    const error = new SimError(SIM_ERRORS.scenarioInvalid, "zone-loss: no zone mars-1a", {
      hint: "name a zone of the spec",
    });
    assert.ok(error instanceof NinesError);
    assert.ok(isNinesError(error, SIM_ERRORS.scenarioInvalid));
    assert.equal(error.name, "SimError");
    assert.match(String(error.stack), /^SimError: zone-loss: no zone mars-1a/);
  });

  it("names core's code for a bad option rather than a second spelling of it", () => {
    assert.equal(SIM_ERRORS.optionInvalid, OPTION_INVALID);
  });
});
