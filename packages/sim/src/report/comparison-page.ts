import { renderTimelinePage, type TimelinePanel } from "@nines/planner";
import type { SimulationResult } from "../run/simulate.js";
import { describeScenario } from "./describe-scenario.js";
import { duration, percent } from "./format.js";

/** One run of a comparison, and its name on the charts. */
export interface ComparedRun {
  label: string;
  result: SimulationResult;
}

/**
 * A page that lays runs of the same spec over each other, one line per
 * run on each chart: every journey's goodput, and the goodput, queue and
 * retry amplification of the `services` asked for. The faults of the first
 * run are marked. This is how the simulator shows, say, a retry storm
 * beside the same spike with the spec's policies.
 *
 * @example
 * renderComparisonPage("Retry storm", [{ label: "spec policies", result: calm }, { label: "storm", result: storm }], ["backend"]);
 */
export function renderComparisonPage(title: string, runs: readonly ComparedRun[], services: readonly string[]): string {
  const [first] = runs;
  if (first === undefined) return renderTimelinePage({ title, panels: [] });
  const x = (i: number) => ((i + 1) * first.result.series.stepMs) / 1000;
  const marks = first.result.marks.map((mark) => ({ at: mark.atMs / 1000, label: mark.label }));
  const panel = (
    name: string,
    unit: string,
    pick: (result: SimulationResult) => readonly (number | null)[] | undefined,
  ): TimelinePanel => ({
    title: name,
    unit,
    series: runs.map((run) => ({
      label: run.label,
      points: (pick(run.result) ?? []).map((value, i) => [x(i), value] as const),
    })),
    marks,
  });
  const panels: TimelinePanel[] = [];
  for (const journey of Object.keys(first.result.series.journeys)) {
    panels.push(panel(`${journey}: goodput`, "requests/s", (r) => r.series.journeys[journey]?.goodput));
  }
  for (const service of services) {
    panels.push(
      panel(
        `${service}: goodput (answers to callers still waiting)`,
        "requests/s",
        (r) => r.series.services[service]?.goodput,
      ),
      panel(`${service}: requests waiting`, "requests", (r) => r.series.services[service]?.queued),
      panel(`${service}: retry amplification`, "attempts/call", (r) => r.series.services[service]?.retryAmplification),
    );
  }
  return renderTimelinePage({
    title,
    subtitle: `${first.result.spec}; ${duration(first.result.durationMs)} simulated, seed ${first.result.seed}`,
    summary: runs.flatMap((run) =>
      run.result.journeys.map(
        (j) =>
          [
            `${run.label}: ${j.journey}`,
            `${describeScenario(run.result.scenario)}; availability ${percent(j.availability)}`,
          ] as const,
      ),
    ),
    panels,
  });
}
