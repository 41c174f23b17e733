/**
 * The largest values a simulation accepts where a larger one would run for
 * hours without a useful answer: `simulateYear`'s `years` (10,000 years take
 * about 5 s for the README's three-zone spec and about a minute for
 * ClickTravel's, on a laptop core), `instance-failures`' `failuresPerHour`
 * (once a second per instance on average: past that an instance never gets
 * back up, and each crash and restart is an event; a simulated minute at
 * this rate takes about 10 s for ClickTravel) and `surge`'s `factor` (the run's requests,
 * and its time, grow with it: 100 times the README's load for 10 s takes
 * about a minute). `nines simulate` names the flag and the range.
 *
 * @example
 * if (years > SIMULATION_LIMITS.years) throw new Error(`at most ${SIMULATION_LIMITS.years} years`);
 */
export const SIMULATION_LIMITS = {
  years: 10_000,
  failuresPerHour: 3600,
  surgeFactor: 100,
} as const;
