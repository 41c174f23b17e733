import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, NinesError, OPTION_INVALID, requireOption } from "./errors.js";

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
