import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { palette, useColour, visibleLength } from "./colour.js";

describe("colour", () => {
  it("colours a TTY unless NO_COLOR is set, and FORCE_COLOR forces it", () => {
    assert.equal(useColour({ isTTY: true }, {}), true);
    assert.equal(useColour({ isTTY: false }, {}), false);
    assert.equal(useColour({}, {}), false);
    assert.equal(useColour({ isTTY: true }, { NO_COLOR: "1" }), false);
    assert.equal(useColour({ isTTY: true }, { NO_COLOR: "" }), true);
    assert.equal(useColour({ isTTY: false }, { FORCE_COLOR: "1" }), true);
    assert.equal(useColour({ isTTY: true }, { FORCE_COLOR: "0" }), true);
    assert.equal(useColour({ isTTY: false }, { FORCE_COLOR: "0" }), false);
  });

  it("adds ANSI codes only when enabled, and they take no width", () => {
    assert.equal(palette(false).red("x"), "x");
    const red = palette(true).red("abc");
    assert.equal(red, "\u001b[31mabc\u001b[39m");
    assert.equal(visibleLength(red), 3);
  });
});
