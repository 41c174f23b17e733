import type { Spec } from "@nines/planner";
import type { Comparison, Measured, Objective, Verdict } from "./drill-result.js";
import type { Prediction } from "./predict.js";
import type { Scenario } from "./scenario.js";

/**
 * A scenario's objective: a spec disaster's RPO and RTO; else RPO 0 (no
 * acknowledged write may be lost) and the journeys' availability objective
 * (the lowest) held over the scenario.
 *
 * @example
 * objectiveFor(spec, dbCrash); // { successRatio: null, rpoMs: 0, rtoMs: 300000, source: 'disaster "Orders database crashed"' }
 */
export function objectiveFor(spec: Spec, scenario: Scenario): Objective {
  if (scenario.disaster !== null) {
    return {
      successRatio: null,
      rpoMs: scenario.disaster.rpoMs,
      rtoMs: scenario.disaster.rtoMs,
      source: `disaster "${scenario.disaster.scenario}"`,
    };
  }
  const objectives = spec.journeys.map((j) => j.objective).filter((o): o is number => o !== null);
  const fallback = spec.objectives.availability;
  const successRatio = objectives.length > 0 ? Math.min(...objectives) : fallback;
  return { successRatio, rpoMs: 0, rtoMs: null, source: "journeys" };
}

/** The headline figures a verdict reads. */
export interface Headline {
  successRatio: number | null;
  lostWrites: number;
  /** Ack time of the earliest lost write, epoch ms; null when none lost or unknown. */
  firstLostAt: number | null;
  rtoMs: number | null;
  faultAt: number;
}

/** A verdict, the comparison with the plan, and why. */
export interface Judgement {
  verdict: Verdict;
  comparison: Comparison;
  reason: string;
}

/** How far a measured success ratio may be from the predicted one and still be "as predicted". */
const RATIO_TOLERANCE = 0.03;
/** How much longer than predicted an RTO may be and still be "as predicted" (the measure's resolution is 1 s). */
const RTO_TOLERANCE_MS = 2000;

/**
 * Met or missed against the objective, better or worse than the plan
 * predicted, and the reason: what missed, then what explains the
 * difference with the plan (docs/drill.md, "Verdicts").
 *
 * @example
 * judge(scenario, headline, measured, prediction, objective).verdict; // "met"
 */
export function judge(
  scenario: Scenario,
  headline: Headline,
  measured: Measured,
  predicted: Prediction,
  objective: Objective,
): Judgement {
  const misses: string[] = [];
  if (objective.successRatio !== null && (headline.successRatio ?? 0) < objective.successRatio) {
    misses.push(
      `success ratio ${percent(headline.successRatio)} below the objective ${percent(objective.successRatio)}`,
    );
  }
  if (headline.lostWrites > 0) {
    const withinRpo =
      objective.rpoMs > 0 &&
      headline.firstLostAt !== null &&
      headline.firstLostAt >= headline.faultAt - objective.rpoMs;
    if (!withinRpo)
      misses.push(`${headline.lostWrites} acknowledged write(s) lost (RPO objective ${ms(objective.rpoMs)})`);
  }
  if (objective.rtoMs !== null && (headline.rtoMs === null || headline.rtoMs > objective.rtoMs)) {
    misses.push(
      headline.rtoMs === null
        ? `did not recover within the run (RTO objective ${ms(objective.rtoMs)})`
        : `RTO ${ms(headline.rtoMs)} over the objective ${ms(objective.rtoMs)}`,
    );
  }
  const { comparison, notes } = compare(scenario, headline, measured, predicted);
  if (!measured.rpoChecked) notes.push("lost writes not counted: no member of the store was up to ask");
  const verdict: Verdict = misses.length === 0 ? "met" : "missed";
  const head = verdict === "met" ? "objective met" : misses.join("; ");
  return { verdict, comparison, reason: [head, ...notes].join("; ") };
}

/** Each figure the plan predicted against the measure, with the rule that explains a difference. */
function compare(
  scenario: Scenario,
  headline: Headline,
  measured: Measured,
  predicted: Prediction,
): { comparison: Comparison; notes: string[] } {
  const better: string[] = [];
  const worse: string[] = [];
  const same: string[] = [];
  // A dependency's fault is predicted for the requests that need it; other faults for every request.
  const dependency = scenario.kind === "dependency-fault" || scenario.kind === "retry-storm";
  const targetRow = measured.services.find((s) => s.service === scenario.target);
  const during = dependency && targetRow ? targetRow.successRatio : measured.fault.successRatio;
  const whose = dependency && targetRow ? `of the requests that need ${scenario.target} ` : "";
  if (predicted.successRatio !== null && during !== null) {
    const delta = during - predicted.successRatio;
    const overload = predicted.overload.map((o) => `${o.service} ${o.ratio}`).join(", ");
    const served = `${percent(during)} ${whose}served during the fault, the plan expected ${percent(predicted.successRatio)}`;
    if (delta > RATIO_TOLERANCE) {
      better.push(
        served +
          (predicted.availability === 0
            ? " (its model counts a service short of capacity as down; the guard sheds the excess instead)"
            : ""),
      );
    } else if (delta < -RATIO_TOLERANCE) {
      worse.push(served + worseBecause(scenario, measured, predicted));
    } else {
      same.push(
        overload
          ? `sheds as predicted: overload ${overload} (zone-loss-overload), ${percent(during)} served`
          : `${served}, as predicted`,
      );
    }
  }
  if (predicted.rtoMs !== null && headline.rtoMs !== null && scenario.kind !== "deletion") {
    if (headline.rtoMs + RTO_TOLERANCE_MS < predicted.rtoMs) {
      better.push(
        `recovered in ${ms(headline.rtoMs)}, the plan allows ${ms(predicted.rtoMs)} for ${predicted.mechanism ?? "recovery"}` +
          (predicted.mechanism === "sync-replica" && measured.promoteMs !== null
            ? ` (the standby was promoted in ${ms(measured.promoteMs)}, as soon as the primary's process was gone)`
            : ""),
      );
    } else if (headline.rtoMs > predicted.rtoMs + RTO_TOLERANCE_MS) {
      worse.push(
        `recovered in ${ms(headline.rtoMs)}, the plan predicted ${ms(predicted.rtoMs)}${predicted.mechanism ? ` by ${predicted.mechanism}` : ""}` +
          (predicted.mechanism === "restart" && scenario.kind !== "instance-loss"
            ? " (the plan counts on instances restarted in the surviving zones; nines up replaces them only in their own zone)"
            : ""),
      );
    }
  }
  if (scenario.kind === "deletion" && measured.deletion !== null && predicted.rtoMs !== null) {
    const restoreMs = measured.deletion.restoreMs;
    if (restoreMs + RTO_TOLERANCE_MS < predicted.rtoMs) {
      better.push(
        `restored in ${ms(restoreMs)} by ${measured.deletion.mechanism}, the plan predicted ${ms(predicted.rtoMs)} by ${predicted.mechanism}` +
          (measured.deletion.mechanism === "lazy-deletion" && predicted.mechanism !== "lazy-deletion"
            ? ` (the application keeps deleted rows in a trash the spec does not declare: add deletion: { ... } to ${scenario.target})`
            : ""),
      );
    }
  }
  if (predicted.rpoMs !== null) {
    if (headline.lostWrites > 0 && predicted.rpoMs === 0) {
      worse.push(
        `${headline.lostWrites} acknowledged write(s) lost where the plan's ${predicted.mechanism ?? "mechanism"} loses none`,
      );
    } else if (headline.lostWrites === 0 && predicted.rpoMs > 0) {
      better.push(`no acknowledged write lost, the plan allows ${ms(predicted.rpoMs)} of data`);
    }
  }
  if (predicted.amplification !== null && measured.amplification !== null) {
    const note = `${measured.amplification.toFixed(2)} attempts per request reached ${scenario.target} (the plan's retries allow ${predicted.amplification})`;
    if (measured.amplification < predicted.amplification - 0.25) {
      better.push(
        scenario.callers === "naive" ? note : `${note}: the callers' breakers opened and stopped the retries`,
      );
    } else same.push(note);
  }
  const comparison: Comparison =
    worse.length > 0 ? "worse" : better.length > 0 ? "better" : same.length > 0 ? "as-predicted" : "not-predicted";
  const tag = (list: string[], label: string) => list.map((n) => `${label}: ${n}`);
  return { comparison, notes: [...tag(worse, "worse"), ...tag(better, "better"), ...same] };
}

/** What explains a success ratio below the prediction, from what was measured. */
function worseBecause(scenario: Scenario, measured: Measured, predicted: Prediction): string {
  const notes: string[] = [];
  for (const g of measured.goodput) {
    if (g.ratio !== null) notes.push(`${g.service} served ${percent(g.ratio)} of its remaining capacity`);
  }
  if (scenario.fault?.kind === "error" && scenario.callers !== "naive" && (scenario.fault.ratio ?? 1) >= 0.5) {
    notes.push("the callers' breakers open at 50% failures, so calls failed fast instead of being retried");
  }
  const lowest = [...measured.services]
    .filter((s) => s.successRatio !== null && s.offered > 0)
    .sort((a, b) => (a.successRatio as number) - (b.successRatio as number))[0];
  if (lowest && scenario.kind !== "dependency-fault" && scenario.kind !== "retry-storm") {
    notes.push(`the requests that need ${lowest.service} fared worst (${percent(lowest.successRatio)})`);
  }
  if (measured.replaced.length > 0 && predicted.mechanism === "spare-capacity") {
    notes.push(`${measured.replaced.length} instance(s) were down until replaced`);
  }
  return notes.length === 0 ? "" : ` (${notes.join("; ")})`;
}

function percent(x: number | null): string {
  if (x === null) return "n/a";
  return `${(x * 100).toFixed(x >= 0.999 && x < 1 ? 3 : 1)}%`;
}

function ms(x: number): string {
  if (x >= 60_000) return `${Math.round(x / 60_000)} min`;
  if (x >= 1000) return `${(x / 1000).toFixed(1)} s`;
  return `${Math.round(x)} ms`;
}
