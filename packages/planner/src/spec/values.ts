import { closestName } from "./closest-name.js";

/** A parsed value, or why it is invalid and how to write it. */
export type ValueResult<T = number> = { ok: true; value: T } | { ok: false; message: string; hint: string };

// Weeks because backup ages and retention are spoken of in weeks (`--max-age 2w`); no months
// or years: their length varies, and a duration must mean one number of milliseconds.
const MILLISECONDS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
/** The longest duration a spec may hold: 100 years (sums of durations stay exact). */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;
/** The largest amount of money per period a spec may hold. */
export const MAX_MONEY = 1e15;
const NUMBER = /^\d+(?:\.\d+)?$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const MONEY = /^(\d+(?:\.\d+)?)\s*\/\s*([A-Za-z]+)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** JSON Schema patterns for editors (the parsers below are the authority). */
export const PATTERNS = {
  duration: "^\\d+(\\.\\d+)?(ms|s|m|h|d|w)?$",
  percent: "^\\d+(\\.\\d+)?\\s*%$",
  money: "^\\d+(\\.\\d+)?(\\s*/\\s*(hour|day|month|year))?$",
  date: "^\\d{4}-\\d{2}-\\d{2}$",
} as const;

/** Hours in each money period: a month is 8766 / 12 = 730.5 hours, a year 365.25 days. */
export const PERIOD_HOURS = { hour: 1, day: 24, month: 730.5, year: 8766 } as const;
export type Period = keyof typeof PERIOD_HOURS;

const DURATION_HINT = "write seconds (30) or a number with a unit: 250ms, 30s, 5m, 1h, 24h, 30d, 2w";

/** Rounds away the binary noise of unit conversion (1.1 x 1000 -> 1100). */
function exact(n: number): number {
  return Number(n.toPrecision(15));
}

/** A value for a message: text quoted and cut to a readable length, a mapping or a list named as such. */
function show(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 30)}... (${text.length} characters)` : text;
}

/** Rounds away binary noise for messages (0.9995 * 100 -> 99.95). */
export function tidy(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/**
 * A duration in milliseconds: `0`, `250ms`, `30s`, `5m`, `1h`, `24h`, `30d`,
 * `2w` (a week is 7 days); a bare number is seconds (as a spec writes them).
 * At most 100 years, so that no sum of durations overflows.
 *
 * @example
 * parseDuration("5m"); // { ok: true, value: 300000 }
 * parseDuration(30); // { ok: true, value: 30000 }
 * parseDuration("2w"); // { ok: true, value: 1209600000 }
 */
export function parseDuration(input: unknown): ValueResult {
  let ms: number;
  if (typeof input === "number") {
    ms = input * 1000;
  } else if (typeof input === "string") {
    const text = input.trim();
    const match = DURATION.exec(text);
    if (NUMBER.test(text)) ms = Number(text) * 1000;
    else if (match) ms = Number(match[1]) * MILLISECONDS[match[2]!]!;
    else return { ok: false, message: `${show(input)} is not a duration`, hint: DURATION_HINT };
  } else {
    return { ok: false, message: `expected a duration, got ${show(input)}`, hint: DURATION_HINT };
  }
  if (Number.isNaN(ms) || ms < 0) {
    return { ok: false, message: `duration ${show(input)} must be zero or more`, hint: DURATION_HINT };
  }
  if (!(ms <= MAX_DURATION_MS)) {
    return {
      ok: false,
      message: `duration ${show(input)} is too long (at most 100 years, 36525d)`,
      hint: "write the real duration with a unit, such as 30d",
    };
  }
  return { ok: true, value: exact(ms) };
}

/**
 * A percentage as a fraction: `99.95%` or `99.95` (a bare number is a percent in [1, 100]).
 * A number below 1 such as `0.9995` is rejected: it reads as a fraction.
 *
 * @example
 * parsePercent("99.95%"); // { ok: true, value: 0.9995 }
 * parsePercent(0.9995).ok; // false, hint "write 99.95%"
 */
export function parsePercent(input: unknown): ValueResult {
  const hint = "write a percent such as 99.95%";
  let percent: number;
  let bare = false;
  if (typeof input === "number") {
    percent = input;
    bare = true;
  } else if (typeof input === "string" && NUMBER.test(input.trim())) {
    percent = Number(input.trim());
    bare = true;
  } else if (typeof input === "string" && PERCENT.test(input.trim())) {
    percent = Number(PERCENT.exec(input.trim())![1]);
  } else {
    return { ok: false, message: `expected a percentage, got ${show(input)}`, hint };
  }
  if (bare && percent > 0 && percent < 1) {
    return {
      ok: false,
      message: `${show(input)} looks like a fraction; a number here is a percent in [1, 100]`,
      hint: `write ${tidy(percent * 100)}%`,
    };
  }
  if (Number.isNaN(percent) || percent <= 0 || percent > 100 || (bare && percent < 1)) {
    return { ok: false, message: `percentage ${show(input)} must be above 0% and at most 100%`, hint };
  }
  return { ok: true, value: Number((percent / 100).toPrecision(15)) };
}

/**
 * Money converted to a per-`target` amount: `50/month`, `20000/hour` (periods
 * hour, day, month, year); a bare number is per `bare`.
 *
 * @example
 * parseMoney("20000/hour", "hour", "hour"); // { ok: true, value: 20000 }
 * parseMoney("1200/year", "month", "month"); // { ok: true, value: 100 }
 */
export function parseMoney(input: unknown, target: Period, bare: Period): ValueResult {
  const hint = `write an amount per period: 50/month, 20000/hour (hour, day, month, year); a bare number is per ${bare}`;
  let amount: number;
  let period: Period = bare;
  if (typeof input === "number") {
    amount = input;
  } else if (typeof input === "string" && NUMBER.test(input.trim())) {
    amount = Number(input.trim());
  } else if (typeof input === "string" && MONEY.test(input.trim())) {
    const match = MONEY.exec(input.trim())!;
    const name = match[2]!.toLowerCase();
    if (!(name in PERIOD_HOURS)) {
      const near = closestName(name, Object.keys(PERIOD_HOURS));
      return {
        ok: false,
        message: `unknown period "${match[2]}" in ${show(input)}`,
        hint: `${near ? `did you mean "${match[1]}/${near}"? ` : ""}periods: hour, day, month, year`,
      };
    }
    amount = Number(match[1]);
    period = name as Period;
  } else {
    return { ok: false, message: `${show(input)} is not an amount of money`, hint };
  }
  if (Number.isNaN(amount) || amount < 0) {
    return { ok: false, message: `amount ${show(input)} must be zero or more`, hint };
  }
  if (!(amount <= MAX_MONEY)) {
    return { ok: false, message: `amount ${show(input)} is too large (at most 10^15 per period)`, hint };
  }
  if (period === target) return { ok: true, value: amount };
  return { ok: true, value: (amount * PERIOD_HOURS[target]) / PERIOD_HOURS[period] };
}

/**
 * An ISO calendar date, `YYYY-MM-DD`, checked to exist.
 *
 * @example
 * parseIsoDate("2026-09-15"); // { ok: true, value: "2026-09-15" }
 */
export function parseIsoDate(input: unknown): ValueResult<string> {
  const hint = "write an ISO date: YYYY-MM-DD, such as 2026-09-15";
  if (input instanceof Date && !Number.isNaN(input.getTime())) {
    return { ok: true, value: input.toISOString().slice(0, 10) };
  }
  const match = typeof input === "string" ? ISO_DATE.exec(input.trim()) : null;
  if (!match) return { ok: false, message: `${show(input)} is not an ISO date`, hint };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { ok: false, message: `${show(input)} is not a calendar date`, hint };
  }
  return { ok: true, value: match[0] };
}
