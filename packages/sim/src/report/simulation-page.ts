import { renderTimelinePage, type TimelinePanel, type TimelineSeries } from "@nines/planner";
import type { SimulationResult } from "../run/simulate.js";
import type { YearResult } from "../year/simulate-year.js";
import { describeScenario } from "./describe-scenario.js";
import { count, duration, percent } from "./format.js";

/**
 * The HTML page of a run (`nines simulate --html`): a self-contained page
 * of charts (the planner's `renderTimelinePage`, uPlot inlined) with the
 * scenario's faults marked. A run of traffic gets, per journey, offered
 * load, goodput and errors, and latency; per service, goodput, shed
 * requests, queue lengths, retry amplification, open breakers and
 * instances up. A `year` gets each journey's availability per simulated
 * year beside the plan's figure, incidents per year, and the downtime by
 * cause.
 *
 * @example
 * await writeFile("run.html", renderSimulationPage(await simulate(spec, scenario)));
 */
export function renderSimulationPage(result: SimulationResult | YearResult): string {
  return "points" in result.series ? trafficPage(result as SimulationResult) : yearPage(result as YearResult);
}

function trafficPage(result: SimulationResult): string {
  const perMinute = result.series.stepMs >= 60_000;
  const unitMs = perMinute ? 60_000 : 1000;
  const rate = perMinute ? "requests/min" : "requests/s";
  const xOf = (i: number) => ((i + 1) * result.series.stepMs) / unitMs;
  const line = (label: string, values: readonly (number | null)[]): TimelineSeries => ({
    label,
    points: values.map((value, i) => [xOf(i), value] as const),
  });
  const marks = result.marks.map((mark) => ({ at: mark.atMs / unitMs, label: mark.label }));
  const panels: TimelinePanel[] = [];
  for (const [name, s] of Object.entries(result.series.journeys)) {
    panels.push(
      {
        title: `${name}: offered load, goodput and errors`,
        unit: rate,
        series: [line("offered", s.offered), line("goodput", s.goodput), line("errors", s.errors)],
        marks,
      },
      {
        title: `${name}: latency of successes`,
        unit: "ms",
        series: [line("p50", s.p50Ms), line("p99", s.p99Ms)],
        marks,
      },
    );
  }
  const services = Object.entries(result.series.services);
  const perService = (
    title: string,
    unit: string,
    pick: (s: (typeof services)[number][1]) => readonly (number | null)[],
    note?: string,
  ) =>
    panels.push({
      title,
      unit,
      series: services.map(([name, s]) => line(name, pick(s))),
      marks,
      ...(note === undefined ? {} : { note }),
    });
  perService("Goodput per service (answers to callers still waiting)", rate, (s) => s.goodput);
  perService("Requests shed by the guards, per service", rate, (s) => s.shed);
  perService("Requests waiting (admission and worker queues)", "requests", (s) => s.queued);
  perService(
    "Retry amplification (attempts per call)",
    "attempts/call",
    (s) => s.retryAmplification,
    "Above 1, retries add load; below 1, breakers refuse calls before they are sent.",
  );
  perService("Callers' circuit breakers open, per callee", "breakers", (s) => s.breakersOpen);
  perService("Instances serving", "instances", (s) => s.instancesUp);
  return renderTimelinePage({
    title: `${result.spec}: ${result.scenario.kind}`,
    subtitle: `${describeScenario(result.scenario)}; ${duration(result.durationMs)} simulated, seed ${result.seed}`,
    summary: result.journeys.map((j) => [
      `${j.journey}`,
      `availability ${percent(j.availability)}${j.ci95 === null ? "" : ` (95% CI ${percent(j.ci95[0])} - ${percent(j.ci95[1])})`}, objective ${percent(j.objective)}: ${j.verdict ?? "no verdict"}; p99 ${duration(j.p99Ms)}; ${count(j.requests)} requests`,
    ]),
    tables:
      result.timeline.length === 0
        ? []
        : [
            {
              title: "What happened",
              columns: ["at", "what"],
              rows: result.timeline.map((event) => [duration(event.atMs), event.what]),
            },
          ],
    xLabel: perMinute ? "time (min)" : "time (s)",
    panels,
  });
}

function yearPage(result: YearResult): string {
  const panels: TimelinePanel[] = [];
  for (const j of result.journeys) {
    const series = result.series.journeys[j.journey];
    if (series === undefined) continue;
    const years = series.availability.map((_, i) => i + 1);
    panels.push(
      {
        title: `${j.journey}: availability of each simulated year`,
        unit: "availability (%)",
        series: [
          {
            label: "simulated year",
            points: years.map((y, i) => [y, round((series.availability[i] as number) * 100)] as const),
          },
          { label: "mean", points: years.map((y) => [y, round(j.availability * 100)] as const) },
          ...(j.plan === null
            ? []
            : [{ label: "nines plan", points: years.map((y) => [y, round((j.plan as number) * 100)] as const) }]),
          ...(j.objective === null
            ? []
            : [{ label: "objective", points: years.map((y) => [y, round((j.objective as number) * 100)] as const) }]),
        ],
      },
      {
        title: `${j.journey}: incidents and outages per year`,
        unit: "per year",
        series: [
          { label: "incidents", points: years.map((y, i) => [y, series.incidents[i] as number] as const) },
          { label: "outages", points: years.map((y, i) => [y, series.outages[i] as number] as const) },
        ],
      },
    );
  }
  return renderTimelinePage({
    title: `${result.spec}: year`,
    subtitle: `${describeScenario(result.scenario)}, seed ${result.seed}`,
    summary: result.journeys.map((j) => [
      j.journey,
      `availability ${percent(j.availability)} (95% CI ${percent(j.ci95[0])} - ${percent(j.ci95[1])})${j.plan === null ? "" : `, plan ${percent(j.plan)}`}, objective ${percent(j.objective)}: ${j.verdict ?? "no verdict"}; ${count(j.downtimeMinutesPerYear, 1)} min of downtime a year`,
    ]),
    tables: result.journeys.map((j) => ({
      title: `${j.journey}: downtime by cause`,
      columns: ["cause", "minutes per year", "share"],
      rows: Object.entries(j.downtimeByCause).map(([cause, minutes]) => [
        cause,
        count(minutes, 2),
        j.downtimeMinutesPerYear > 0 ? `${count((minutes / j.downtimeMinutesPerYear) * 100, 1)}%` : "-",
      ]),
    })),
    xLabel: "simulated year",
    panels,
  });
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
