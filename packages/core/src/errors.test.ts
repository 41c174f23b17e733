import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, NinesError, OPTION_INVALID, requireKnownOptions, requireOption } from "./errors.js";

describe("NinesError", () => {
  it("carries code, hint, cause and details", () => {
    const cause = new Error("disk full");
    const error = new NinesError("NINES_X", "could not write", { hint: "free space", cause, details: { path: "/x" } });
    assert.equal(error.code, "NINES_X");
    assert.equal(error.hint, "free space");
    assert.equal(error.cause, cause);
    assert.deepEqual(error.details, { path: "/x" });
    assert.equal(error.name, "NinesError");
    assert.equal(error.describe(), "could not write\n  hint: free space");
  });

  it("is recognised by brand, also from a look-alike copy", () => {
    const copy = Object.assign(new Error("from another copy"), { code: "NINES_Y" });
    Object.defineProperty(copy, Symbol.for("nines.error"), { value: true });
    assert.ok(isNinesError(copy, "NINES_Y"));
    assert.ok(!isNinesError(copy, "NINES_Z"));
    assert.ok(!isNinesError(new Error("plain")));
    assert.ok(!isNinesError(null));
  });

  it("requireOption names the option and the expectation", () => {
    assert.doesNotThrow(() => requireOption(true, "retry", "maxAttempts", 3, ">= 1"));
    assert.throws(
      () => requireOption(false, "retry", "maxAttempts", 0, ">= 1"),
      (e: unknown) => isNinesError(e, OPTION_INVALID) && /maxAttempts must be >= 1, got 0/.test((e as Error).message),
    );
  });
});

describe("error families and option checks", () => {
  it("a family's name shows in the stack trace, and the brand still matches", () => {
    class DemoError extends NinesError {
      override get name(): string {
        return "DemoError";
      }
    }
    const error = new DemoError("NINES_DEMO", "went wrong");
    assert.match(error.stack ?? "", /^DemoError: went wrong/);
    assert.ok(isNinesError(error, "NINES_DEMO"));
  });

  it("requireOption quotes a string so that '500' is not read as 500", () => {
    assert.throws(
      () => requireOption(false, "timeout", "timeoutMs", "500", "a number > 0"),
      (e: unknown) =>
        isNinesError(e, OPTION_INVALID) &&
        (e as Error).name === "OptionError" &&
        /must be a number > 0, got "500"/.test((e as Error).message) &&
        (e as NinesError).hint === "set timeoutMs to a number > 0",
    );
  });

  it("requireKnownOptions names a misspelt key and the closest known one", () => {
    assert.doesNotThrow(() => requireKnownOptions("retry", { maxAttempts: 3 }, ["maxAttempts", "clock"]));
    assert.throws(
      () => requireKnownOptions("retry", { maxAtempts: 3 }, ["maxAttempts", "clock"]),
      (e: unknown) =>
        isNinesError(e, OPTION_INVALID) &&
        /retry: unknown option maxAtempts/.test((e as Error).message) &&
        (e as NinesError).hint === "did you mean maxAttempts?",
    );
  });
});
