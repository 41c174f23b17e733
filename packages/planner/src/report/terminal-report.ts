import type { Spec } from "../model.js";
import type { Finding, JourneyResult, PlanResult, Severity } from "../result.js";
import { type Palette, palette } from "./colour.js";
import { resourceRows, scenarioRows } from "./dr-tables.js";
import { formatMinutes, formatMoney, formatPercent } from "./format.js";
import { durabilityRows, scalabilityRows, THREATS } from "./metrics-tables.js";
import { renderTable, wrapText } from "./table.js";

export interface TerminalReportOptions {
  /** ANSI colour (decide with `useColour`). Default false. */
  colour?: boolean;
}

const SEVERITIES: Severity[] = ["error", "warning", "info"];

/**
 * The plan as text for people: journeys, components, findings grouped by
 * severity, the DR tables, durability, scalability and the risk/cost table.
 *
 * @example
 * process.stdout.write(renderTerminalReport(spec, analyze(spec), { colour: useColour(process.stdout, process.env) }));
 */
export function renderTerminalReport(spec: Spec, result: PlanResult, options: TerminalReportOptions = {}): string {
  const c = palette(options.colour ?? false);
  const sections = [
    `${c.bold(result.name)} ${c.dim(`(${result.file}, as of ${result.asOf})`)}`,
    journeys(result, c),
    components(result, c),
    findings(result.findings, c),
    disasters(spec, result, c),
    durability(result, c),
    scalability(spec, result, c),
    costs(result, c),
  ];
  return `${sections.filter((s) => s !== "").join("\n\n")}\n`;
}

function heading(c: Palette, text: string): string {
  return c.bold(c.blue(text));
}

/**
 * How a journey's figure was obtained: exact, or sampled with its interval.
 *
 * @example
 * describeMethod({ method: "monte-carlo", samples: 1_000_000, ci95: [0.9995, 0.9997] });
 * // "monte-carlo 1,000,000 samples, 95% CI 99.950%–99.970%"
 */
export function describeMethod(j: Pick<JourneyResult, "method" | "samples" | "ci95">): string {
  if (j.method === "exact") return "exact";
  const samples = j.samples === undefined ? "" : ` ${j.samples.toLocaleString("en-US")} samples`;
  const ci = j.ci95 ? `, 95% CI ${formatPercent(j.ci95[0])}–${formatPercent(j.ci95[1])}` : "";
  return `monte-carlo${samples}${ci}`;
}

function journeys(result: PlanResult, c: Palette): string {
  const rows = result.journeys.map((j) => {
    let objective = "—";
    if (j.objective !== null) {
      const ok = j.availability >= j.objective;
      objective = `${formatPercent(j.objective)} ${ok ? c.green("met") : c.red("missed")}`;
    }
    return [
      j.name,
      formatPercent(j.availability),
      formatMinutes(j.downtimeMinutesPerYear),
      formatMinutes(j.downtimeMinutesPerMonth),
      objective,
      describeMethod(j),
    ];
  });
  const table = renderTable(
    [
      { header: "Journey" },
      { header: "Availability", align: "right" },
      { header: "Down/year", align: "right" },
      { header: "Down/month", align: "right" },
      { header: "Objective" },
      { header: "Method" },
    ],
    rows,
  );
  const parts = result.journeys.map((j) => `  ${j.name}: ${j.components.join(" → ")}`);
  return [heading(c, "Journeys"), table, "", c.dim("  Components per journey:"), ...parts].join("\n");
}

function components(result: PlanResult, c: Palette): string {
  const rows = result.components.map((comp) => [
    comp.name,
    comp.kind,
    formatPercent(comp.availability),
    formatMinutes(comp.downtimeMinutesPerYear),
    comp.instances === undefined ? "" : `${comp.instances} (${comp.needed ?? "?"} needed)`,
  ]);
  return [
    heading(c, "Components"),
    renderTable(
      [
        { header: "Component" },
        { header: "Kind" },
        { header: "Availability", align: "right" },
        { header: "Down/year", align: "right" },
        { header: "Instances" },
      ],
      rows,
    ),
  ].join("\n");
}

function severityColour(c: Palette, severity: Severity): (text: string) => string {
  return severity === "error" ? c.red : severity === "warning" ? c.yellow : c.dim;
}

function findings(all: readonly Finding[], c: Palette): string {
  const counts = SEVERITIES.map((s) => {
    const n = all.filter((f) => f.severity === s).length;
    return s === "info" ? `${n} info` : `${n} ${s}${n === 1 ? "" : "s"}`;
  });
  const out = [heading(c, `Findings (${counts.join(", ")})`)];
  if (all.length === 0) out.push(`  ${c.green("none: the plan breaks no rule")}`);
  for (const severity of SEVERITIES) {
    const group = all.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    const colour = severityColour(c, severity);
    const label = { error: "Errors", warning: "Warnings", info: "Info" }[severity];
    out.push("", `  ${colour(c.bold(label))}`);
    for (const f of group) {
      out.push(`    ${colour(f.rule)}  ${c.bold(f.subject)}`);
      for (const text of wrapText(f.message, 100)) out.push(`      ${text}`);
    }
  }
  return out.join("\n");
}

function disasters(spec: Spec, result: PlanResult, c: Palette): string {
  const scenarios = scenarioRows(result);
  // A drill's measure sits next to the plan's when `--evidence` gave one.
  const drilled = scenarios.some((r) => r.measured !== undefined);
  const rows = scenarios.map((r) => [
    r.subject,
    r.scenario,
    r.rpo,
    r.rto,
    r.priority,
    r.achievedRpo,
    r.achievedRto,
    r.mechanism,
    r.met ? c.green("met") : c.red("missed"),
    ...(drilled ? [r.measured ?? "not drilled"] : []),
  ]);
  const scenarioTable =
    rows.length === 0
      ? "  no disaster scenarios in the spec"
      : renderTable(
          [
            { header: "Service" },
            { header: "Scenario", max: 48 },
            { header: "RPO", align: "right" },
            { header: "RTO", align: "right" },
            { header: "Priority" },
            { header: "Achieved RPO", align: "right" },
            { header: "Achieved RTO", align: "right" },
            { header: "Recovery" },
            { header: "Result" },
            ...(drilled ? [{ header: "Drilled", max: 48 }] : []),
          ],
          rows,
        );
  const resources = resourceRows(spec).map((r) => [r.resource, r.strategy, r.location, r.procedure]);
  if (resources.length === 0)
    return [heading(c, "Disaster recovery"), scenarioTable, "", "  no stores in the spec"].join("\n");
  return [
    heading(c, "Disaster recovery"),
    scenarioTable,
    "",
    renderTable(
      [
        { header: "Resource" },
        { header: "Backup strategy", max: 40 },
        { header: "Backup location", max: 24 },
        { header: "Recovery procedure", max: 56 },
      ],
      resources,
    ),
  ].join("\n");
}

function scalability(spec: Spec, result: PlanResult, c: Palette): string {
  const rows = scalabilityRows(spec, result).map((r) => [
    r.service,
    r.load,
    r.capacity,
    r.instances,
    r.headroom,
    r.ok ? r.autoscale : c.red(r.autoscale),
  ]);
  return [
    heading(c, "Scalability"),
    renderTable(
      [
        { header: "Service" },
        { header: "Peak load", align: "right" },
        { header: "Capacity", align: "right" },
        { header: "Instances" },
        { header: "Headroom", align: "right" },
        { header: "Autoscaling", max: 44 },
      ],
      rows,
    ),
  ].join("\n");
}

function durability(result: PlanResult, c: Palette): string {
  const rows = durabilityRows(result).map((r) => [
    r.store,
    r.where,
    ...r.threats.map((t) => (t.protected ? t.text : c.red(t.text))),
  ]);
  if (rows.length === 0) return "";
  return [
    heading(c, "Durability"),
    renderTable(
      [
        { header: "Store" },
        { header: "Engine" },
        ...THREATS.map((t) => ({ header: `${t[0]!.toUpperCase()}${t.slice(1).replace("-", " ")}`, max: 16 })),
      ],
      rows,
    ),
  ].join("\n");
}

/** Said instead of a cost column of zeros when the spec has no costs. */
export const NO_COSTS =
  "No costs in the spec: add costs: { instance: 50/month, downtime: 20000/hour } to compare what each deployment costs.";

function costs(result: PlanResult, c: Palette): string {
  const currency = result.costs.currency;
  if (result.costs.priced === false) {
    return [
      heading(c, "Risk and availability"),
      renderTable(
        [{ header: "Deployment" }, { header: "Instances", align: "right" }, { header: "Availability", align: "right" }],
        result.costs.alternatives.map((a) => [a.name, String(a.instances), formatPercent(a.availability)]),
      ),
      `  ${c.dim(NO_COSTS)}`,
    ].join("\n");
  }
  const rows = result.costs.alternatives.map((a) => {
    const total = 12 * a.monthly + a.downtimeCostPerYear;

    return [
      a.cheapest ? c.bold(c.green(`${a.name} (cheapest)`)) : a.name,
      `${formatMoney(a.monthly, currency)}/month`,
      formatPercent(a.availability),
      `${formatMoney(a.downtimeCostPerYear, currency)}/year`,
      `${formatMoney(total, currency)}/year`,
    ];
  });
  return [
    heading(c, "Risk and cost"),
    renderTable(
      [
        { header: "Deployment" },
        { header: "Estimated cost", align: "right" },
        { header: "Availability", align: "right" },
        { header: "Cost of being down", align: "right" },
        { header: "Total (12 x cost + down)", align: "right" },
      ],
      rows,
    ),
  ].join("\n");
}
