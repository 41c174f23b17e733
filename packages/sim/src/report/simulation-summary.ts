import type { SimulationResult } from "../run/simulate.js";
import type { YearResult } from "../year/simulate-year.js";
import { describeScenario } from "./describe-scenario.js";
import { columns, count, duration, percent } from "./format.js";

/**
 * The terminal summary of a run, for people: what ran, each journey's
 * verdict against its objective, and, for a run of traffic, what the
 * platform did and the worst moments of every service; for `year`, the
 * downtime by cause and how the years spread.
 *
 * @example
 * process.stdout.write(renderSimulationSummary(await simulate(spec, { kind: "steady" })));
 */
export function renderSimulationSummary(result: SimulationResult | YearResult): string {
  return `${("points" in result.series ? traffic(result as SimulationResult) : year(result as YearResult)).join("\n")}\n`;
}

function traffic(result: SimulationResult): string[] {
  const step = result.series.stepMs === 1000 ? "second" : `${duration(result.series.stepMs)} step`;
  const lines = [
    `${result.spec}: ${describeScenario(result.scenario)}; ${duration(result.durationMs)} simulated, seed ${result.seed}`,
    "",
    ...columns([
      ["journey", "availability", "95% CI", "objective", "verdict", "p50", "p99", "requests", "failed"],
      ...result.journeys.map((j) => [
        j.journey,
        percent(j.availability),
        j.ci95 === null ? "n/a" : `${percent(j.ci95[0])} - ${percent(j.ci95[1])}`,
        percent(j.objective),
        j.verdict ?? "-",
        duration(j.p50Ms),
        duration(j.p99Ms),
        count(j.requests),
        count(j.failed),
      ]),
    ]).map((line) => `  ${line}`),
  ];
  if (result.timeline.length > 0) {
    lines.push("", "  what happened:");
    for (const event of result.timeline) lines.push(`    ${duration(event.atMs).padStart(8)}  ${event.what}`);
  }
  lines.push("", `  services (per ${step}: mean / worst):`);
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const max = (values: readonly (number | null)[]) => Math.max(0, ...values.filter((v): v is number => v !== null));
  const min = (values: readonly number[]) => (values.length === 0 ? 0 : Math.min(...values));
  lines.push(
    ...columns([
      ["service", "goodput", "shed", "errors", "queued", "retry amplification", "breakers open", "instances up"],
      ...Object.entries(result.series.services).map(([name, s]) => [
        name,
        `${count(mean(s.goodput))} / ${count(min(s.goodput))}`,
        `${count(mean(s.shed))} / ${count(max(s.shed))}`,
        `${count(mean(s.errors))} / ${count(max(s.errors))}`,
        `${count(mean(s.queued))} / ${count(max(s.queued))}`,
        `max ${count(max(s.retryAmplification), 2)}`,
        `max ${count(max(s.breakersOpen))}`,
        `${count(min(s.instancesUp))} - ${count(max(s.instancesUp))}`,
      ]),
    ]).map((line) => `    ${line}`),
  );
  lines.push("", `  engine: ${count(result.events)} events, ${count(result.hops)} calls to services and stores`);
  return lines;
}

function year(result: YearResult): string[] {
  const lines = [
    `${result.spec}: ${describeScenario(result.scenario)}, seed ${result.seed}`,
    "",
    ...columns([
      ["journey", "availability", "95% CI", "plan (exact)", "objective", "verdict", "downtime/year"],
      ...result.journeys.map((j) => [
        j.journey,
        percent(j.availability),
        `${percent(j.ci95[0])} - ${percent(j.ci95[1])}`,
        percent(j.plan),
        percent(j.objective),
        j.verdict ?? "-",
        `${count(j.downtimeMinutesPerYear, 1)} min`,
      ]),
    ]).map((line) => `  ${line}`),
  ];
  for (const j of result.journeys) {
    lines.push("", `  ${j.journey}: downtime by cause, minutes per year`);
    const causes = Object.entries(j.downtimeByCause).filter(([, minutes]) => minutes > 0);
    lines.push(...columns(causes.map(([cause, minutes]) => [cause, count(minutes, 2)])).map((line) => `    ${line}`));
    lines.push(
      `    yearly availability: min ${percent(j.yearly.min)}, p10 ${percent(j.yearly.p10)}, median ${percent(j.yearly.p50)}, p90 ${percent(j.yearly.p90)}, max ${percent(j.yearly.max)}`,
      `    incidents per year: mean ${count(j.incidentsPerYear.mean, 1)} (p90 ${count(j.incidentsPerYear.p90)}), of which outages (every request fails): mean ${count(j.outagesPerYear.mean, 1)}; an incident lasts ${j.meanIncidentMinutes === null ? "n/a" : `${count(j.meanIncidentMinutes, 1)} min`} on average`,
    );
  }
  lines.push("", `  engine: ${count(result.events)} events`);
  return lines;
}
