import { formatDuration, renderTimelinePage, type TimelineMark, type TimelinePanel } from "@nines/planner";
import type { DrillResult } from "./drill-result.js";

/**
 * The drill's HTML page (`nines drill --html FILE`), drawn by the
 * planner's shared timeline page (uPlot, inlined: it works offline): the
 * scorecard as a table, then for each scenario run its per-second
 * timelines, success ratio, latency (p50 and p99 of successful requests)
 * and instances ready per zone, with the fault and its end marked.
 *
 * @example
 * writeFileSync("out/drill.html", renderDrillPage(results, { system: "ClickTravel", scale: 20, timeScale: 10 }));
 */
export function renderDrillPage(
  results: readonly DrillResult[],
  meta: { system: string; scale: number; timeScale: number },
): string {
  const panels: TimelinePanel[] = results.flatMap((r) => scenarioPanels(r));
  return renderTimelinePage({
    title: `nines drill: ${meta.system}`,
    subtitle: `Scale ${meta.scale} (loads and capacities divided by it), time scale ${meta.timeScale} (start-up and drain times divided by it); measured from the client side, per second, by the time requests were sent.`,
    tables: [
      {
        title: "Scorecard",
        columns: ["scenario", "verdict", "success", "p99", "lost writes", "RTO", "predicted", "vs plan", "reason"],
        rows: results.map((r) => [
          r.scenario,
          r.verdict,
          ratio(r.successRatio),
          r.p99Ms === null ? "—" : formatDuration(r.p99Ms),
          r.verdict === "not-run" ? "—" : String(r.lostWrites),
          r.verdict === "not-run" ? "—" : formatDuration(r.rtoMs),
          predicted(r),
          r.comparison,
          r.reason,
        ]),
      },
    ],
    xLabel: "time from the scenario's start (s)",
    panels,
  });
}

function scenarioPanels(r: DrillResult): TimelinePanel[] {
  if (r.timeline === null || r.series.length === 0) return [];
  const start = r.timeline.startAt;
  const x = (at: number) => Math.round((at - start) / 100) / 10;
  const marks: TimelineMark[] = [
    { at: x(r.timeline.faultAt), label: "fault" },
    { at: x(r.timeline.faultEndAt), label: "fault ends" },
  ];
  const points = (read: (s: DrillResult["series"][number]) => number | null) =>
    r.series.map((s) => [x(s.at), read(s)] as const);
  const zones = [...new Set(r.series.flatMap((s) => Object.keys(s.ready)))];
  const objective = r.objective.successRatio;
  return [
    {
      title: `${r.scenario}: success ratio (${r.verdict})`,
      unit: "ratio",
      series: [
        { label: "success ratio", points: points((s) => s.successRatio) },
        ...(objective === null ? [] : [{ label: "objective", points: points(() => objective) }]),
      ],
      marks,
      note: `${r.title}. ${r.reason}`,
    },
    {
      title: `${r.scenario}: latency of successful requests`,
      unit: "ms",
      series: [
        { label: "p50", points: points((s) => s.p50Ms) },
        { label: "p99", points: points((s) => s.p99Ms) },
      ],
      marks,
    },
    {
      title: `${r.scenario}: instances ready per zone`,
      unit: "instances",
      series: zones.map((zone) => ({ label: zone, points: points((s) => s.ready[zone] ?? 0) })),
      marks,
    },
  ];
}

function predicted(r: DrillResult): string {
  const p = r.predicted;
  const parts: string[] = [];
  if (p.successRatio !== null) parts.push(`${ratio(p.successRatio)} served`);
  if (p.overload.length > 0) parts.push(`overload ${p.overload.map((o) => `${o.service} ${o.ratio}`).join(", ")}`);
  if (p.rpoMs !== null && r.kind !== "dependency-fault") parts.push(`RPO ${formatDuration(p.rpoMs)}`);
  if (p.rtoMs !== null) parts.push(`RTO ${formatDuration(p.rtoMs)}${p.mechanism ? ` (${p.mechanism})` : ""}`);
  if (p.amplification !== null) parts.push(`${p.amplification} attempts/request`);
  return parts.join(", ") || "—";
}

function ratio(x: number | null): string {
  if (x === null) return "—";
  return `${(x * 100).toFixed(x >= 0.999 && x < 1 ? 3 : 1)}%`;
}
