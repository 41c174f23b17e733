import { formatDuration } from "@nines/planner";
import type { DrillResult } from "./drill-result.js";

/**
 * One line of `nines drill --json`: the result without its per-second
 * series (docs/drill.md, "JSON": every field and its unit).
 *
 * @example
 * process.stdout.write(`${JSON.stringify(resultLine(result))}\n`);
 */
export function resultLine(result: DrillResult): Omit<DrillResult, "series"> {
  const { series: _series, ...line } = result;
  return line;
}

const COLUMNS = ["scenario", "verdict", "success", "p99", "lost", "RTO", "vs plan"] as const;
const WIDTHS = [34, 8, 9, 8, 5, 8, 13];

/**
 * The scorecard's header (printed before the first result).
 *
 * @example
 * io.stdout.write(scorecardHeader());
 */
export function scorecardHeader(): string {
  return `${row(COLUMNS)}\n${row(WIDTHS.map((w) => "-".repeat(w)))}\n`;
}

/**
 * One scenario on the scorecard: its figures on one line, then the reason
 * and the headline measures indented below.
 *
 * @example
 * io.stdout.write(scorecardRow(result));
 * // zone-loss-us-central1-a            missed    93.2%     212ms    0     14s      better
 * //   success ratio 93.2% below the objective 99.950%; better: ...
 */
export function scorecardRow(result: DrillResult): string {
  const cells = [
    result.scenario,
    result.verdict,
    ratio(result.successRatio),
    result.p99Ms === null ? "—" : formatDuration(result.p99Ms),
    result.verdict === "not-run" ? "—" : String(result.lostWrites),
    result.verdict === "not-run" ? "—" : formatDuration(result.rtoMs),
    result.comparison,
  ];
  const lines = [row(cells), `  ${result.title}`, `  ${result.reason}`];
  const detail = result.verdict === "not-run" ? "" : details(result);
  if (detail) lines.push(`  ${detail}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The scorecard's footer: how many met, missed or were not run.
 *
 * @example
 * io.stdout.write(scorecardSummary(results)); // "2 scenarios: 1 met, 1 missed, 0 not run\n"
 */
export function scorecardSummary(results: readonly DrillResult[]): string {
  const count = (v: DrillResult["verdict"]) => results.filter((r) => r.verdict === v).length;
  const n = results.length;
  return `${n} scenario${n === 1 ? "" : "s"}: ${count("met")} met, ${count("missed")} missed, ${count("not-run")} not run\n`;
}

/** The measures behind the headline, for the line under the reason. */
function details(result: DrillResult): string {
  const m = result.measured;
  if (m === null) return "";
  const parts: string[] = [];
  if (m.fault.successRatio !== null) parts.push(`during the fault ${ratio(m.fault.successRatio)}`);
  if (m.recoveryAfterEndMs !== null) parts.push(`recovered ${formatDuration(m.recoveryAfterEndMs)} after its end`);
  if (m.replaced.length > 0) {
    parts.push(`${m.replaced.length} replaced (longest ${formatDuration(m.timeToReplaceMs)})`);
  }
  if (m.failoverMs !== null && (result.kind === "db-crash" || m.promoteMs !== null)) {
    parts.push(`writes back after ${formatDuration(m.failoverMs)}`);
  }
  if (m.promoteMs !== null) parts.push(`standby promoted in ${formatDuration(m.promoteMs)}`);
  if (m.amplification !== null) parts.push(`${m.amplification.toFixed(2)} attempts per request at ${result.target}`);
  for (const g of m.goodput) {
    parts.push(
      `${g.service} goodput ${g.goodput} req/s of ${g.remainingCapacity} left (${ratio(g.ratio)}), p99 ${g.p99Ms === null ? "—" : formatDuration(g.p99Ms)} at the client, ${g.admittedP99Ms === null ? "—" : formatDuration(g.admittedP99Ms)} admitted`,
    );
  }
  if (m.degradedRatio !== null && m.degradedRatio > 0) parts.push(`${ratio(m.degradedRatio)} degraded answers`);
  if (m.deletion !== null) {
    parts.push(
      `${m.deletion.deleted} rows deleted, ${m.deletion.restored} restored by ${m.deletion.mechanism} in ${formatDuration(m.deletion.restoreMs)}`,
    );
  }
  if (result.kind === "query-of-death") parts.push(`${m.crashes} crash${m.crashes === 1 ? "" : "es"}`);
  parts.push(`${m.acknowledgedWrites} writes acknowledged so far`);
  return parts.join(", ");
}

function ratio(x: number | null): string {
  if (x === null) return "—";
  const digits = x >= 0.999 && x < 1 ? 3 : 1;
  return `${(x * 100).toFixed(digits)}%`;
}

function row(cells: readonly string[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(WIDTHS[i] as number)))
    .join(" ")
    .trimEnd();
}
