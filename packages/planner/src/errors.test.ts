// One error family: the planner's errors say "PlannerError" in a stack trace.
// The codes, the sources and the docs pages are kept in step by
// scripts/error-codes.test.ts (one mechanism for every package).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { PLANNER_ERRORS, PlannerError } from "./errors.js";

describe("the planner's errors", () => {
  it("are thrown as PlannerError, named in stack traces", () => {
    const error = new PlannerError(PLANNER_ERRORS.tooLarge, "planner: too large");
    assert.ok(isNinesError(error, PLANNER_ERRORS.tooLarge));
    assert.equal(error.name, "PlannerError");
    assert.match(String(error.stack), /^PlannerError: planner: too large/);
  });
});
