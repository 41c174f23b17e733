/**
 * Minutes in a year of 365.25 days.
 *
 * @example
 * (1 - 0.999) * MINUTES_PER_YEAR; // 525.96
 */
export const MINUTES_PER_YEAR = 525_960;
/**
 * Minutes in a 30-day month.
 *
 * @example
 * (1 - 0.999) * MINUTES_PER_MONTH; // 43.2
 */
export const MINUTES_PER_MONTH = 43_200;
/**
 * Hours in a year of 365.25 days (the downtime cost of a year).
 *
 * @example
 * (1 - 0.999) * HOURS_PER_YEAR * 20_000; // 175,320 a year at 20,000/hour
 */
export const HOURS_PER_YEAR = 8_766;

/**
 * Expected downtime of an availability (docs/planner-model.md): (1 - A) x 525,960
 * minutes a year and (1 - A) x 43,200 minutes a 30-day month.
 *
 * @example
 * downtime(0.9995); // { minutesPerYear: 262.98, minutesPerMonth: 21.6 }
 */
export function downtime(availability: number): { minutesPerYear: number; minutesPerMonth: number } {
  const down = 1 - availability;
  return { minutesPerYear: down * MINUTES_PER_YEAR, minutesPerMonth: down * MINUTES_PER_MONTH };
}
