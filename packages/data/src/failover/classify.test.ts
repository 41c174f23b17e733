import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isPrimaryLost } from "./classify.js";

describe("isPrimaryLost", () => {
  it("recognises a standby's refusal, shutdowns and dropped connections", () => {
    for (const code of ["25006", "57P01", "57P02", "57P03", "08006", "ECONNREFUSED", "ECONNRESET"]) {
      assert.equal(isPrimaryLost({ code }), true, code);
    }
    assert.equal(isPrimaryLost(new Error("Connection terminated unexpectedly")), true);
    assert.equal(isPrimaryLost(new Error("the database system is starting up")), true);
  });

  it("leaves the caller's errors alone", () => {
    for (const code of ["23505", "42601", "40001", "22P02"]) assert.equal(isPrimaryLost({ code }), false, code);
    assert.equal(isPrimaryLost(new Error("syntax error at or near")), false);
    assert.equal(isPrimaryLost(null), false);
    assert.equal(isPrimaryLost("ECONNREFUSED"), false);
  });
});
