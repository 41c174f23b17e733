import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDuration, parseIsoDate, parseMoney, parsePercent } from "./values.js";

const value = <T>(r: { ok: true; value: T } | { ok: false; message: string; hint: string }): T => {
  assert.ok(r.ok, r.ok ? "" : `${r.message} (${r.hint})`);
  return r.value;
};

describe("parseDuration", () => {
  it("reads every unit of spec.md (ms, s, m, h, d, w) into milliseconds, and bare numbers as seconds", () => {
    const cases: [unknown, number][] = [
      [0, 0],
      ["0", 0],
      ["250ms", 250],
      ["30s", 30_000],
      ["5m", 300_000],
      ["1h", 3_600_000],
      ["24h", 86_400_000],
      ["30d", 2_592_000_000],
      ["1w", 604_800_000],
      ["2w", 1_209_600_000],
      ["1.5w", 907_200_000],
      [90, 90_000],
      ["90", 90_000],
      ["1.5h", 5_400_000],
      // No binary noise from the conversion: 1.1 x 1000 is 1100, not 1100.0000000000002.
      ["1.1s", 1100],
      [0.3, 300],
    ];
    for (const [input, ms] of cases) assert.equal(value(parseDuration(input)), ms, String(input));
  });

  it("rejects durations that overflow or that no system needs (over 100 years)", () => {
    const huge = `${"9".repeat(400)}`;
    for (const input of [huge, Number(huge), `${huge}s`, "36526d", 1e300, Number.POSITIVE_INFINITY]) {
      const result = parseDuration(input);
      assert.equal(result.ok, false, String(input).slice(0, 20));
      if (!result.ok) assert.match(result.message, /too long \(at most 100 years/);
    }
    // The message stays readable for a 400-digit number.
    const result = parseDuration(huge);
    assert.ok(!result.ok && result.message.length < 120, !result.ok ? result.message : "");
    assert.equal(value(parseDuration("36525d")), 36_525 * 86_400_000);
  });

  it("rejects other forms with the forms to write", () => {
    // No months or years: their length varies, and a duration must be one number of milliseconds.
    for (const input of ["5 minutes", "5min", "-5m", "1mo", "1y", "2W", "", true, null, -1]) {
      const result = parseDuration(input);
      assert.equal(result.ok, false, String(input));
      if (!result.ok) assert.match(result.hint, /250ms, 30s, 5m, 1h, 24h, 30d, 2w/);
    }
  });
});

describe("value messages", () => {
  it("name a mapping or a list as such and cut long text, in every parser", () => {
    const messageOf = (r: ReturnType<typeof parseDuration>) => (r.ok ? "" : r.message);
    assert.equal(messageOf(parseDuration({ a: { a: 1 } })), "expected a duration, got a mapping");
    assert.equal(messageOf(parseDuration([1])), "expected a duration, got a list");
    assert.equal(messageOf(parsePercent({ a: 1 })), "expected a percentage, got a mapping");
    const long = messageOf(parseDuration("x".repeat(5000)));
    assert.match(long, /^"x{29}\.\.\. \(5002 characters\) is not a duration$/);
  });
});

describe("parseMoney: bounds", () => {
  it("rejects amounts that overflow (a 400-digit number is Infinity) or exceed 10^15 a period", () => {
    for (const input of ["9".repeat(400), `${"9".repeat(400)}/month`, 1e16, Number.POSITIVE_INFINITY]) {
      const result = parseMoney(input, "month", "month");
      assert.equal(result.ok, false, String(input).slice(0, 20));
      if (!result.ok) assert.match(result.message, /too large/);
    }
    assert.equal(value(parseMoney(1e15, "month", "month")), 1e15);
  });
});

describe("parsePercent", () => {
  it("reads 99.95% and bare percents in [1, 100] as fractions", () => {
    assert.equal(value(parsePercent("99.95%")), 0.9995);
    assert.equal(value(parsePercent(99.95)), 0.9995);
    assert.equal(value(parsePercent("99.999%")), 0.99999);
    assert.equal(value(parsePercent(100)), 1);
    assert.equal(value(parsePercent(1)), 0.01);
    assert.equal(value(parsePercent("60%")), 0.6);
    assert.equal(value(parsePercent("0.5%")), 0.005);
  });

  it("rejects a fraction with the percent to write", () => {
    assert.deepEqual(parsePercent(0.9995), {
      ok: false,
      message: "0.9995 looks like a fraction; a number here is a percent in [1, 100]",
      hint: "write 99.95%",
    });
    const result = parsePercent(0.2);
    assert.ok(!result.ok && result.hint === "write 20%");
  });

  it("rejects values out of range and other types", () => {
    for (const input of [0, "0%", 101, "100.5%", "high", true, -5])
      assert.equal(parsePercent(input).ok, false, String(input));
  });
});

describe("parseMoney", () => {
  it("converts periods: a month is 730.5 hours, a day 24, a year 8766", () => {
    assert.equal(value(parseMoney("50/month", "month", "month")), 50);
    assert.equal(value(parseMoney(50, "month", "month")), 50);
    assert.equal(value(parseMoney("600/year", "month", "month")), 50);
    assert.equal(value(parseMoney("1/hour", "month", "month")), 730.5);
    assert.equal(value(parseMoney("24/day", "month", "month")), 730.5);
    assert.equal(value(parseMoney("20000/hour", "hour", "hour")), 20_000);
    assert.equal(value(parseMoney(20_000, "hour", "hour")), 20_000);
    assert.equal(value(parseMoney("480000/day", "hour", "hour")), 20_000);
    assert.equal(value(parseMoney("14610000/month", "hour", "hour")), 20_000);
  });

  it("rejects unknown periods with the closest one", () => {
    assert.deepEqual(parseMoney("50/mnth", "month", "month"), {
      ok: false,
      message: 'unknown period "mnth" in "50/mnth"',
      hint: 'did you mean "50/month"? periods: hour, day, month, year',
    });
    assert.equal(parseMoney("$50", "month", "month").ok, false);
    assert.equal(parseMoney(-1, "month", "month").ok, false);
  });
});

describe("parseIsoDate", () => {
  it("accepts calendar dates only", () => {
    assert.equal(value(parseIsoDate("2026-09-15")), "2026-09-15");
    assert.equal(value(parseIsoDate("2024-02-29")), "2024-02-29");
    assert.equal(value(parseIsoDate(new Date(Date.UTC(2026, 0, 2)))), "2026-01-02");
    for (const input of ["2026-13-01", "2025-02-29", "15/09/2026", "2026-9-15", 20260915]) {
      assert.equal(parseIsoDate(input).ok, false, String(input));
    }
  });
});
