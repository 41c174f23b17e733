import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isFailoverError } from "./classify.js";

describe("isFailoverError", () => {
  it("recognises a standby's refusal, shutdowns and dropped connections", () => {
    for (const code of ["25006", "57P01", "57P02", "57P03", "08006", "ECONNREFUSED", "ECONNRESET"]) {
      assert.equal(isFailoverError({ code }), true, code);
    }
    assert.equal(isFailoverError(new Error("Connection terminated unexpectedly")), true);
    assert.equal(isFailoverError(new Error("the database system is starting up")), true);
  });

  it("leaves the caller's errors alone", () => {
    for (const code of ["23505", "42601", "40001", "22P02"]) assert.equal(isFailoverError({ code }), false, code);
    assert.equal(isFailoverError(new Error("syntax error at or near")), false);
    assert.equal(isFailoverError(null), false);
    assert.equal(isFailoverError("ECONNREFUSED"), false);
  });
});
