import { escapeXml as esc } from "../diagram/escape.js";
import { uplotAssets } from "./uplot-assets.js";

/** One line of a chart: `[x, y]` points (y null for a gap), x ascending. */
export interface TimelineSeries {
  label: string;
  points: readonly (readonly [number, number | null])[];
}

/** A vertical line across a chart at `at` (in the chart's x unit), labelled: a fault starting, a recovery. */
export interface TimelineMark {
  at: number;
  label: string;
}

/** One chart: its lines share the x axis and the unit of the y axis. */
export interface TimelinePanel {
  title: string;
  /** The unit of the y values, shown on the axis ("requests/s", "ms", "instances"). */
  unit: string;
  series: readonly TimelineSeries[];
  marks?: readonly TimelineMark[];
  /** The x axis's label (default the page's `xLabel`). */
  xLabel?: string;
  /** A sentence under the chart saying what to read in it. */
  note?: string;
}

/** A page of timelines, as `nines simulate --html` and `nines drill --html` write it. */
export interface TimelinePage {
  title: string;
  /** A line under the title (what ran, with what seed). */
  subtitle?: string;
  /** Key figures shown as a table above the charts: `[label, value]` rows. */
  summary?: readonly (readonly [string, string])[];
  /** Further tables, each with a title, column headers and rows of text. */
  tables?: readonly { title: string; columns: readonly string[]; rows: readonly (readonly string[])[] }[];
  /** The x axis's label of every panel that does not set its own (default "time (s)"). */
  xLabel?: string;
  panels: readonly TimelinePanel[];
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#0f172a;background:#f8fafc}
main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px;color:#1e3a8a}
.subtitle{color:#475569;margin:0 0 16px}
table{border-collapse:collapse;background:#fff;margin:4px 0 20px;box-shadow:0 1px 2px #0f172a14}
th,td{padding:5px 10px;border-bottom:1px solid #e2e8f0;text-align:left}
th{background:#f1f5f9;font-weight:600;font-size:13px}
section.panel{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 14px 8px;margin:0 0 18px}
.note{color:#475569;font-size:12.5px;margin:4px 0 0}
.nodata{color:#64748b;font-style:italic}
`;

/** A line colour per series, in order (colour-blind friendly: Okabe and Ito). */
const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"];

// Runs in the page: builds one uPlot per panel from the JSON data, and draws the marks as labelled lines.
const INIT = `(function(){
var panels=JSON.parse(document.getElementById("nines-timeline-data").textContent);
var palette=${JSON.stringify(PALETTE)};
panels.forEach(function(panel,i){
  var el=document.getElementById("chart-"+i);
  if(!panel.series.length){el.innerHTML='<p class="nodata">no data</p>';return;}
  var width=Math.max(320,el.clientWidth||900);
  var marks=panel.marks||[];
  var opts={width:width,height:260,
    scales:{x:{time:false}},
    axes:[{label:panel.xLabel},{label:panel.unit,size:60}],
    series:[{label:panel.xLabel}].concat(panel.series.map(function(s,j){return {label:s.label,stroke:palette[j%palette.length],width:1.5,spanGaps:false};})),
    hooks:{draw:[function(u){
      var ctx=u.ctx;ctx.save();
      marks.forEach(function(m){
        var x=Math.round(u.valToPos(m.at,"x",true));
        ctx.strokeStyle="#b91c1c";ctx.setLineDash([5,4]);ctx.lineWidth=1.5;
        ctx.beginPath();ctx.moveTo(x,u.bbox.top);ctx.lineTo(x,u.bbox.top+u.bbox.height);ctx.stroke();
        ctx.setLineDash([]);ctx.fillStyle="#b91c1c";ctx.textAlign="left";ctx.textBaseline="alphabetic";ctx.font=(12*devicePixelRatio)+"px system-ui,sans-serif";
        ctx.fillText(m.label,x+4,u.bbox.top+14*devicePixelRatio);
      });
      ctx.restore();
    }]}};
  new uPlot(opts,[panel.x].concat(panel.y),el);
});
})();`;

/**
 * Renders a self-contained HTML page of timeline charts: the uPlot
 * library and its stylesheet are inlined, the data is embedded as JSON,
 * so the page works offline, from a file. Each panel becomes one chart
 * whose series share the x axis (the union of their x values; a series
 * without a point at some x has a gap there), with its marks drawn as
 * labelled vertical lines. Text is escaped.
 *
 * @example
 * const html = renderTimelinePage({
 *   title: "ClickTravel: zone-loss",
 *   summary: [["book-trip availability", "99.12%"]],
 *   panels: [{ title: "Goodput", unit: "requests/s",
 *     series: [{ label: "book-trip", points: [[0, 1990], [1, 2004]] }], marks: [{ at: 1, label: "zone lost" }] }],
 * });
 */
export function renderTimelinePage(page: TimelinePage): string {
  const { script, style } = uplotAssets();
  const xLabel = page.xLabel ?? "time (s)";
  const data = page.panels.map((panel) => columns(panel, xLabel));
  const summary =
    page.summary === undefined || page.summary.length === 0
      ? ""
      : `<table><tbody>\n${page.summary.map(([label, value]) => `<tr><th>${esc(label)}</th><td>${esc(value)}</td></tr>`).join("\n")}\n</tbody></table>`;
  const tables = (page.tables ?? [])
    .map(
      (t) =>
        `<h2>${esc(t.title)}</h2>\n<table><thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>\n${t.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${esc(cell)}</td>`).join("")}</tr>`)
          .join("\n")}\n</tbody></table>`,
    )
    .join("\n");
  const panels = page.panels
    .map(
      (panel, i) =>
        `<section class="panel"><h2>${esc(panel.title)}</h2><div class="chart" id="chart-${i}"></div>${
          panel.note === undefined ? "" : `<p class="note">${esc(panel.note)}</p>`
        }</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>${style}</style>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(page.title)}</h1>
${page.subtitle === undefined ? "" : `<p class="subtitle">${esc(page.subtitle)}</p>`}
${summary}
${tables}
${panels}
</main>
<script>${script}</script>
<script type="application/json" id="nines-timeline-data">${scriptSafe(JSON.stringify(data))}</script>
<script>${INIT}</script>
</body>
</html>
`;
}

/** A panel as uPlot's columns: the union of the x values, and each series' y at each (null where it has none). */
function columns(panel: TimelinePanel, xLabel: string) {
  const xs = [...new Set(panel.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const y = panel.series.map((s) => {
    const values: (number | null)[] = new Array(xs.length).fill(null);
    for (const [x, value] of s.points) values[index.get(x) as number] = value;
    return values;
  });
  return {
    xLabel: panel.xLabel ?? xLabel,
    unit: panel.unit,
    series: panel.series.map((s) => ({ label: s.label })),
    marks: panel.marks ?? [],
    x: xs,
    y,
  };
}

/** JSON that cannot end its script element or break a line in old parsers. */
function scriptSafe(json: string): string {
  return json.replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}
