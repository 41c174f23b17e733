import type { Spec } from "../model.js";
import type { PlanResult, Severity } from "../result.js";
import { escapeXml as esc } from "./diagram/escape.js";
import { layoutDiagram } from "./diagram/layout.js";
import { renderDiagramSvg } from "./diagram/svg.js";
import { resourceRows, scenarioRows } from "./dr-tables.js";
import { formatMinutes, formatMoney, formatPercent } from "./format.js";
import { durabilityRows, scalabilityRows, THREATS } from "./metrics-tables.js";
import { describeMethod, NO_COSTS } from "./terminal-report.js";

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#0f172a;background:#f8fafc}
main{max-width:1360px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px;color:#1e3a8a}
.meta{color:#475569;margin:0 0 16px}
.badges span{display:inline-block;padding:3px 10px;border-radius:999px;margin-right:6px;font-weight:600;font-size:13px}
.b-error{background:#fee2e2;color:#991b1b}.b-warning{background:#fef3c7;color:#92400e}.b-info{background:#e2e8f0;color:#334155}
.b-ok{background:#dcfce7;color:#166534}
table{border-collapse:collapse;background:#fff;margin:4px 0 8px;box-shadow:0 1px 2px #0f172a14}
th,td{padding:6px 10px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600;font-size:13px}
td.nowrap,td:first-child{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.cheapest td{background:#f0fdf4;font-weight:600}
.met{color:#166534;font-weight:600}.missed{color:#b91c1c;font-weight:600}
.sev{font-weight:700;text-transform:uppercase;font-size:11px;padding:2px 6px;border-radius:4px}
.sev-error{background:#fee2e2;color:#991b1b}.sev-warning{background:#fef3c7;color:#92400e}.sev-info{background:#e2e8f0;color:#334155}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace}
.figure{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px;overflow-x:auto}
.legend{color:#475569;font-size:12.5px;margin:6px 0 0}
.legend span{margin-right:16px;white-space:nowrap}
`;

interface Cell {
  text: string;
  num?: boolean;
  cls?: string;
  html?: boolean;
}

function table(
  headers: readonly (string | Cell)[],
  rows: readonly (readonly (string | Cell)[])[],
  rowClass?: (i: number) => string,
): string {
  const cell = (tag: "th" | "td", c: string | Cell): string => {
    const v = typeof c === "string" ? { text: c } : c;
    const cls = [v.num ? "num" : "", v.cls ?? ""].filter(Boolean).join(" ");
    return `<${tag}${cls ? ` class="${cls}"` : ""}>${v.html ? v.text : esc(v.text)}</${tag}>`;
  };
  const head = `<tr>${headers.map((h) => cell("th", h)).join("")}</tr>`;
  const body = rows
    .map((row, i) => {
      const cls = rowClass?.(i);
      return `<tr${cls ? ` class="${cls}"` : ""}>${row.map((c) => cell("td", c)).join("")}</tr>`;
    })
    .join("\n");
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const SEVERITIES: Severity[] = ["error", "warning", "info"];

/**
 * The plan as one self-contained HTML page (inline CSS and SVG, no external
 * resources): summary, the deployment diagram, findings by severity, the
 * journey, component, DR, scalability and risk/cost tables.
 *
 * @example
 * await writeFile("out/plan.html", renderHtmlReport(spec, analyze(spec))); // writeFile from node:fs/promises
 */
export function renderHtmlReport(spec: Spec, result: PlanResult): string {
  const bySeverity = (s: Severity) => result.findings.filter((f) => f.severity === s);
  const errors = new Set(bySeverity("error").map((f) => f.subject));
  const warnings = new Set(bySeverity("warning").map((f) => f.subject));
  const svg = renderDiagramSvg(layoutDiagram(spec), { errors, warnings, title: `${result.name}: deployment` });
  const currency = result.costs.currency;

  const badges = SEVERITIES.map((s) => {
    const n = bySeverity(s).length;
    return `<span class="b-${s}">${n} ${s}${n === 1 || s === "info" ? "" : "s"}</span>`;
  });
  if (bySeverity("error").length === 0) badges.unshift('<span class="b-ok">no errors</span>');

  const journeys = table(
    [
      "Journey",
      { text: "Availability", num: true },
      { text: "Downtime / year", num: true },
      { text: "Downtime / month", num: true },
      "Objective",
      "Method",
      "Components",
    ],
    result.journeys.map((j) => [
      j.name,
      { text: formatPercent(j.availability), num: true },
      { text: formatMinutes(j.downtimeMinutesPerYear), num: true },
      { text: formatMinutes(j.downtimeMinutesPerMonth), num: true },
      j.objective === null
        ? "—"
        : {
            text: `${esc(formatPercent(j.objective))} <span class="${j.availability >= j.objective ? "met" : "missed"}">${j.availability >= j.objective ? "met" : "missed"}</span>`,
            html: true,
          },
      describeMethod(j),
      j.components.join(" → "),
    ]),
  );

  const components = table(
    ["Component", "Kind", { text: "Availability", num: true }, { text: "Downtime / year", num: true }, "Instances"],
    result.components.map((c) => [
      c.name,
      c.kind,
      { text: formatPercent(c.availability), num: true },
      { text: formatMinutes(c.downtimeMinutesPerYear), num: true },
      c.instances === undefined ? "" : `${c.instances} (${c.needed ?? "?"} needed)`,
    ]),
  );

  const findings =
    result.findings.length === 0
      ? '<p class="met">No findings: the plan breaks no rule.</p>'
      : table(
          ["Severity", "Rule", "Subject", "Message"],
          SEVERITIES.flatMap((s) =>
            bySeverity(s).map((f) => [
              { text: `<span class="sev sev-${s}">${s}</span>`, html: true },
              { text: `<code>${esc(f.rule)}</code>`, html: true, cls: "nowrap" },
              { text: f.subject, cls: "nowrap" },
              f.message,
            ]),
          ),
        );

  const scenarioList = scenarioRows(result);
  // A drill's measure sits next to the plan's when `--evidence` gave one.
  const drilled = scenarioList.some((r) => r.measured !== undefined);
  const scenarios = table(
    [
      "Service",
      "Scenario",
      { text: "RPO", num: true },
      { text: "RTO", num: true },
      "Priority",
      { text: "Achieved RPO", num: true },
      { text: "Achieved RTO", num: true },
      "Recovery",
      "Result",
      ...(drilled ? ["Drilled"] : []),
    ],
    scenarioList.map((r) => [
      r.subject,
      r.scenario,
      { text: r.rpo, num: true },
      { text: r.rto, num: true },
      r.priority,
      { text: r.achievedRpo, num: true },
      { text: r.achievedRto, num: true },
      r.mechanism,
      { text: r.met ? "met" : "missed", cls: r.met ? "met" : "missed" },
      ...(drilled ? [r.measured ?? "not drilled"] : []),
    ]),
  );
  const resources = table(
    ["Resource", "Backup strategy", "Backup location", "Recovery procedure"],
    resourceRows(spec).map((r) => [r.resource, r.strategy, r.location, r.procedure]),
  );

  const scalability = table(
    [
      "Service",
      { text: "Peak load", num: true },
      { text: "Capacity", num: true },
      "Instances",
      { text: "Headroom", num: true },
      "Autoscaling",
    ],
    scalabilityRows(spec, result).map((r) => [
      r.service,
      { text: r.load, num: true },
      { text: r.capacity, num: true },
      r.instances,
      { text: r.headroom, num: true },
      { text: r.autoscale, cls: r.ok ? "" : "missed" },
    ]),
  );
  const durabilityData = durabilityRows(result);
  const durability =
    durabilityData.length === 0
      ? ""
      : `<h2 id="durability">Durability</h2>\n${table(
          ["Store", "Engine", ...THREATS.map((t) => `${t[0]!.toUpperCase()}${t.slice(1).replace("-", " ")}`)],
          durabilityData.map((r) => [
            r.store,
            r.where,
            ...r.threats.map((t) => ({ text: t.text, cls: t.protected ? "" : "missed" })),
          ]),
        )}`;

  const alternatives = result.costs.alternatives;
  const costs =
    result.costs.priced === false
      ? `${table(
          ["Deployment", { text: "Instances", num: true }, { text: "Availability", num: true }],
          alternatives.map((a) => [
            a.name,
            { text: String(a.instances), num: true },
            { text: formatPercent(a.availability), num: true },
          ]),
        )}\n<p class="meta">${esc(NO_COSTS)}</p>`
      : table(
          [
            "Deployment",
            { text: "Estimated cost", num: true },
            { text: "Availability", num: true },
            { text: "Cost of being down", num: true },
            { text: "Total / year", num: true },
          ],
          alternatives.map((a) => [
            a.cheapest ? `${a.name} (cheapest)` : a.name,
            { text: `${formatMoney(a.monthly, currency)} / month`, num: true },
            { text: formatPercent(a.availability), num: true },
            { text: `${formatMoney(a.downtimeCostPerYear, currency)} / year`, num: true },
            { text: `${formatMoney(12 * a.monthly + a.downtimeCostPerYear, currency)}`, num: true },
          ]),
          (i) => (alternatives[i]?.cheapest ? "cheapest" : ""),
        );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(result.name)}: reliability plan</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(result.name)}: reliability plan</h1>
<p class="meta">${esc(result.file)} · as of ${esc(result.asOf)} · generated by nines plan</p>
<p class="badges">${badges.join("")}</p>
<h2 id="diagram">Deployment</h2>
<div class="figure">
${svg}
<p class="legend"><span>▭ instance group (instances per zone)</span><span>⛁ store</span><span>→ required call</span><span>⇢ optional call (dashed)</span><span>··· replication / backups</span><span>red outline: error finding, amber: warning</span></p>
</div>
<h2 id="findings">Findings</h2>
${findings}
<h2 id="journeys">Journeys</h2>
${journeys}
<h2 id="components">Components</h2>
${components}
<h2 id="dr">Disaster recovery</h2>
${scenarios}
${resources}
${durability}
<h2 id="scalability">Scalability</h2>
${scalability}
<h2 id="costs">Risk and cost</h2>
${costs}
</main>
</body>
</html>
`;
}
