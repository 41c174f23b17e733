import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, formatMinutes, formatMoney, formatPercent, formatRatio } from "./format.js";

describe("format", () => {
  it("writes durations as people do, in at most two units", () => {
    assert.equal(formatDuration(0), "0");
    assert.equal(formatDuration(250), "250ms");
    assert.equal(formatDuration(30_000), "30s");
    assert.equal(formatDuration(300_000), "5m");
    assert.equal(formatDuration(3_600_000), "1h");
    assert.equal(formatDuration(5_400_000), "1h 30m");
    assert.equal(formatDuration(3_601_000), "1h"); // the third unit is dropped
    assert.equal(formatDuration(86_400_000), "1d");
    assert.equal(formatDuration(30 * 86_400_000), "30d");
    assert.equal(formatDuration(null), "—");
    assert.equal(formatMinutes(262.98), "4h 23m");
  });

  it("shows enough decimals to tell nines apart", () => {
    assert.equal(formatPercent(0.9995), "99.950%");
    assert.equal(formatPercent(0.999994), "99.9994%");
    assert.equal(formatPercent(0.9999999), "99.999990%");
    assert.equal(formatPercent(0.95), "95.000%");
    assert.equal(formatPercent(1), "100%");
  });

  it("writes money with the currency and ratios with an x", () => {
    assert.equal(formatMoney(1_234_567.8, "USD"), "1,234,568 USD");
    assert.equal(formatMoney(0, "EUR"), "0 EUR");
    assert.equal(formatRatio(1.125), "1.13x");
    assert.equal(formatRatio(Number.POSITIVE_INFINITY), "∞");
  });
});
