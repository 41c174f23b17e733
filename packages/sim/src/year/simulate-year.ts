import { type OnProgress, requireKnownOptions, requireOption, SeededRandom } from "@nines/core";
import type { Spec } from "@nines/planner";
import { SimClock } from "../engine/sim-clock.js";
import { SIMULATION_LIMITS } from "../run/limits.js";
import { FailureDomains, type OutageMs } from "./failure-domains.js";
import { DOWNTIME_CAUSES, type DowntimeCause, JourneyTally, type Part } from "./journey-tally.js";

/** A year of 365.25 days, in ms (the planner's year). */
export const YEAR_MS = 365.25 * 24 * 3_600_000;

/** Options of {@link simulateYear}. */
export interface SimulateYearOptions {
  /** Simulated years (default 100, at most `SIMULATION_LIMITS.years`): each gives one yearly availability. */
  years?: number;
  /** The seed of every draw (default 1). */
  seed?: number;
  /**
   * `spec` (default): the spec's recovery times count (detection delay,
   * replica failover, start-up); `instant`: they are zero, the plan's model.
   */
  recovery?: "spec" | "instant";
  /** How long a load balancer keeps sending to a dead instance, in ms (default 2000: two failed checks a second apart). */
  detectionMs?: number;
  /** Mean length of one outage of each kind of failure domain. */
  outageMs?: OutageMs;
  /** `nines plan`'s result (its `journeys`), to put each journey's exact figure beside the simulated one. */
  plan?: { journeys: readonly { name: string; availability: number }[] };
  /** Called after each simulated year: `{ phase: "year", done, total, unit: "years" }`. */
  onProgress?: OnProgress;
}

/** Percentiles of a yearly figure over the simulated years. */
export interface YearSpread {
  min: number;
  p10: number;
  p50: number;
  p90: number;
  max: number;
}

/** One journey over the simulated years. */
export interface YearJourneyResult {
  journey: string;
  /** Mean availability over the years (the time-weighted share of its requests that can succeed). */
  availability: number;
  /** 95% confidence interval of `availability`, by batch means over the simulated months. */
  ci95: [number, number];
  objective: number | null;
  verdict: "met" | "missed" | null;
  /** `nines plan`'s exact figure when given, else null. */
  plan: number | null;
  /** (1 - availability) x 525,960 minutes. */
  downtimeMinutesPerYear: number;
  /** Minutes of downtime per year charged to each cause (they add up to `downtimeMinutesPerYear`). */
  downtimeByCause: Record<DowntimeCause, number>;
  /** How the yearly availability spreads over the years. */
  yearly: YearSpread;
  /** Incidents (some requests fail) per year, and outages (all fail) per year. */
  incidentsPerYear: YearSpread & { mean: number };
  outagesPerYear: YearSpread & { mean: number };
  /** Mean length of one incident, in minutes (null without incidents). */
  meanIncidentMinutes: number | null;
}

/** What {@link simulateYear} returns; `JSON.stringify` of it is byte-identical for the same spec, options and seed. */
export interface YearResult {
  spec: string;
  scenario: { kind: "year"; years: number; recovery: "spec" | "instant" };
  seed: number;
  journeys: YearJourneyResult[];
  /** One point per simulated year: each journey's availability, incidents and outages. */
  series: {
    years: number;
    journeys: Record<string, { availability: number[]; incidents: number[]; outages: number[] }>;
  };
  /** Events the engine fired. */
  events: number;
}

const KNOWN_OPTIONS = ["years", "seed", "recovery", "detectionMs", "outageMs", "plan", "onProgress"];
const MINUTES_PER_YEAR = YEAR_MS / 60_000;

/**
 * Simulates years of random failures and repairs of every failure domain
 * of a spec (regions, zones, instances and store nodes, managed
 * components; each up and down in turn for exponential times whose means
 * give the spec's availability figures), and follows each journey
 * through them with the plan's rules (`FailureDomains`). With
 * `recovery: "instant"` it is the plan's model run in time: each
 * journey's availability converges to `nines plan`'s exact figure. With
 * the spec's recovery times (the default) it shows how much lower the
 * availability is, and why: the downtime is charged to its cause.
 *
 * @example
 * const year = await simulateYear(loadSpec("nines.yaml"), { years: 200, recovery: "instant" });
 * year.journeys[0]?.ci95; // holds the plan's exact figure, 95 times in 100
 */
export async function simulateYear(spec: Spec, options: SimulateYearOptions = {}): Promise<YearResult> {
  requireKnownOptions("simulateYear", options, KNOWN_OPTIONS);
  const years = options.years ?? 100;
  requireOption(
    Number.isInteger(years) && years >= 1 && years <= SIMULATION_LIMITS.years,
    "simulateYear",
    "years",
    years,
    `an integer from 1 to ${SIMULATION_LIMITS.years}`,
  );
  const seed = options.seed ?? 1;
  requireOption(Number.isInteger(seed), "simulateYear", "seed", seed, "an integer");
  const recovery = options.recovery ?? "spec";
  requireOption(
    recovery === "spec" || recovery === "instant",
    "simulateYear",
    "recovery",
    recovery,
    '"spec" or "instant"',
  );
  const detectionMs = options.detectionMs ?? 2000;
  requireOption(detectionMs >= 0, "simulateYear", "detectionMs", detectionMs, ">= 0");
  requireKnownOptions("outageMs", options.outageMs ?? {}, ["instance", "zone", "region", "managed"]);
  const outageMs = {
    instance: options.outageMs?.instance ?? 3_600_000,
    zone: options.outageMs?.zone ?? 3_600_000,
    region: options.outageMs?.region ?? 4 * 3_600_000,
    managed: options.outageMs?.managed ?? 3_600_000,
  };
  for (const [kind, ms] of Object.entries(outageMs)) {
    requireOption(ms > 0, "simulateYear", `outageMs.${kind}`, ms, "> 0");
  }

  const clock = new SimClock();
  const random = new SeededRandom(seed);
  const domains = new FailureDomains(spec, {
    clock,
    random,
    recoveryTimes: recovery === "spec",
    detectionMs,
    outageMs,
  });
  const tallies = spec.journeys.map((journey) => {
    const tally = new JourneyTally(journey.name, 0);
    for (const name of componentsOf(spec, journey.via, journey.entry)) {
      const part = domains.part(name) as Part | undefined;
      if (part === undefined) continue;
      part.journeys.push(tally);
      tally.add(part);
    }
    return tally;
  });
  domains.start();
  for (let month = 1; month <= years * 12; month++) {
    clock.scheduleSync((month * YEAR_MS) / 12, () => {
      for (const tally of tallies) tally.closePeriod(clock.now());
      if (month % 12 === 0) options.onProgress?.({ phase: "year", done: month / 12, total: years, unit: "years" });
    });
  }
  await clock.advanceTo(years * YEAR_MS);

  const plans = new Map((options.plan?.journeys ?? []).map((j) => [j.name, j.availability]));
  return {
    spec: spec.name,
    scenario: { kind: "year", years, recovery },
    seed,
    journeys: spec.journeys.map((journey, i) => {
      const tally = tallies[i] as JourneyTally;
      const { availability: yearly, incidents: yearlyIncidents, outages: yearlyOutages } = yearsOf(tally);
      const availability = mean(tally.periods);
      const half = 1.96 * Math.sqrt(variance(tally.periods) / tally.periods.length);
      const lost = DOWNTIME_CAUSES.reduce((sum, _, c) => sum + (tally.lostMs[c] as number), 0);
      const incidents = yearlyIncidents.reduce((a, b) => a + b, 0);
      return {
        journey: journey.name,
        availability: round(availability, 10),
        ci95: [round(Math.max(0, availability - half), 10), round(Math.min(1, availability + half), 10)],
        objective: journey.objective,
        verdict: journey.objective === null ? null : availability >= journey.objective ? "met" : "missed",
        plan: plans.get(journey.name) ?? null,
        downtimeMinutesPerYear: round((1 - availability) * MINUTES_PER_YEAR, 3),
        downtimeByCause: Object.fromEntries(
          DOWNTIME_CAUSES.map((cause, c) => [cause, round(((tally.lostMs[c] as number) / 60_000 / years) * 1, 3)]),
        ) as Record<DowntimeCause, number>,
        yearly: spread(yearly, 8),
        incidentsPerYear: { mean: round(mean(yearlyIncidents), 3), ...spread(yearlyIncidents, 3) },
        outagesPerYear: { mean: round(mean(yearlyOutages), 3), ...spread(yearlyOutages, 3) },
        meanIncidentMinutes: incidents === 0 || lost === 0 ? null : round(tally.incidentMs / incidents / 60_000, 3),
      } satisfies YearJourneyResult;
    }),
    series: {
      years,
      journeys: Object.fromEntries(
        tallies.map((tally) => {
          const perYear = yearsOf(tally);
          return [tally.name, { ...perYear, availability: perYear.availability.map((a) => round(a, 8)) }];
        }),
      ),
    },
    events: clock.fired,
  };
}

/** Each year's figures from its twelve months (of equal length: a year's availability is their mean). */
function yearsOf(tally: JourneyTally): { availability: number[]; incidents: number[]; outages: number[] } {
  const out = { availability: [] as number[], incidents: [] as number[], outages: [] as number[] };
  for (let start = 0; start < tally.periods.length; start += 12) {
    const sum = (values: readonly number[]) => values.slice(start, start + 12).reduce((a, b) => a + b, 0);
    out.availability.push(sum(tally.periods) / 12);
    out.incidents.push(sum(tally.periodIncidents));
    out.outages.push(sum(tally.periodOutages));
  }
  return out;
}

/** A journey's components as the plan lists them: `via`, then a depth-first walk from `entry` along required calls. */
function componentsOf(spec: Spec, via: string | null, entry: string): string[] {
  const services = new Map(spec.services.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const out: string[] = [];
  if (via !== null) {
    seen.add(via);
    out.push(via);
  }
  const walk = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push(name);
    for (const call of services.get(name)?.calls ?? []) if (!call.optional) walk(call.target);
  };
  walk(entry);
  return out;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function variance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((sum, x) => sum + (x - m) ** 2, 0) / Math.max(1, values.length - 1);
}

/** Nearest-rank percentiles, rounded to `digits` decimals. */
function spread(values: readonly number[], digits: number): YearSpread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0, digits);
  return { min: at(0), p10: at(10), p50: at(50), p90: at(90), max: at(100) };
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
