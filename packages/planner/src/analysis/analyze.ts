import { type Clock, requireOption, systemClock } from "@nines/core";
import { type DrillEvidence, latestDrill, withEvidence } from "../evidence/evidence.js";
import type { Spec } from "../model.js";
import type { ComponentResult, Finding, JourneyResult, PlanResult } from "../result.js";
import { toSeconds } from "../result-seconds.js";
import { componentModel, neededInstances } from "./availability/component-model.js";
import { downtime } from "./availability/downtime.js";
import { type EstimateOptions, estimateAvailability, failureDomains } from "./availability/estimate.js";
import { costAlternatives, hasCosts } from "./costs/variants.js";
import { analyzeDisasters } from "./dr/disasters.js";
import { durability } from "./metrics/durability.js";
import { scalability } from "./metrics/scalability.js";
import { noAutoscale, nPlusTwo, zoneLossOverload } from "./rules/capacity-rules.js";
import { sortFindings } from "./rules/findings.js";
import { decimals3 } from "./rules/format.js";
import { healthRules } from "./rules/health-rules.js";
import { objectiveRule } from "./rules/objective-rule.js";
import { callRetryRules, retryAmplification } from "./rules/retry-rules.js";
import { findSpof, spofFindings } from "./rules/spof.js";
import { storeRules } from "./rules/store-rules.js";
import { Topology } from "./topology/topology.js";
import { validateAsOf } from "./validate-as-of.js";

export interface AnalyzeOptions {
  /** ISO date (YYYY-MM-DD) the time-dependent rules compare with; default today (UTC) from `clock`. */
  asOf?: string;
  /** Source of "today" when `asOf` is not given (default the system clock). */
  clock?: Clock;
  /** Monte Carlo samples where a journey uses more than 20 zones (default 1e6). */
  samples?: number;
  /** Monte Carlo seed (default 1). */
  seed?: number;
  /** `auto` (default) or `monte-carlo` to sample every journey and component (to compare with exact). */
  method?: "auto" | "monte-carlo";
  /**
   * Drill results (`nines plan --evidence`): a restore from backups a drill
   * performed counts as tested on its date, and each disaster shows its
   * latest drill as `measured`.
   */
  evidence?: readonly DrillEvidence[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The lowest journey figure, as the as-written cost row uses it; undefined without journeys. */
function lowestJourney(
  journeys: JourneyResult[],
): { availability: number; method: "exact" | "monte-carlo" } | undefined {
  let lowest: JourneyResult | undefined;
  for (const j of journeys) if (lowest === undefined || j.availability < lowest.availability) lowest = j;
  return lowest && { availability: lowest.availability, method: lowest.method };
}

/**
 * Analyses a validated spec: availability of every journey and component
 * (exact, or sampled above 20 zones), every rule of docs/planner-model.md, the DR
 * scenarios, the risk/cost variants, and durability and scalability. Pure:
 * the same spec and options give the same result.
 *
 * @example
 * const result = analyze(loadSpec("examples/clicktravel/nines.yaml"), { asOf: "2026-11-29" });
 * result.journeys[0]?.availability; // 0.99714...
 * result.findings.filter((f) => f.severity === "error").length;
 */
export function analyze(written: Spec, options: AnalyzeOptions = {}): PlanResult {
  const spec = options.evidence ? withEvidence(written, options.evidence) : written;
  const asOf = options.asOf ?? new Date((options.clock ?? systemClock).now()).toISOString().slice(0, 10);
  requireOption(
    ISO_DATE.test(asOf) && !Number.isNaN(Date.parse(asOf)) && new Date(asOf).toISOString().startsWith(asOf),
    "analyze",
    "asOf",
    asOf,
    "an ISO date such as 2026-11-29",
  );
  validateAsOf(spec, asOf);
  const estimateOptions: EstimateOptions = {
    ...(options.samples !== undefined && { samples: options.samples }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.method !== undefined && { method: options.method }),
  };
  const topology = new Topology(spec);
  const domains = failureDomains(topology);
  const model = (name: string) => componentModel(topology, topology.component(name));

  const components: ComponentResult[] = [...spec.edge, ...spec.services, ...spec.stores].map((c) => {
    const e = estimateAvailability([model(c.name)], domains, { ...estimateOptions, exactWhenSingleFactor: true });
    const result: ComponentResult = {
      name: c.name,
      kind: c.kind,
      availability: e.availability,
      downtimeMinutesPerYear: decimals3(downtime(e.availability).minutesPerYear),
      downtimeMinutesPerMonth: decimals3(downtime(e.availability).minutesPerMonth),
    };
    if (c.kind === "service") {
      const instances = new Set(c.zones).size * c.instances;
      result.needed = neededInstances(c);
      result.instances = instances;
      result.headroom = c.load === 0 ? Number.POSITIVE_INFINITY : (instances * c.capacity) / c.load;
    }
    return result;
  });
  const byName = new Map(components.map((c) => [c.name, c]));

  const journeys: JourneyResult[] = spec.journeys.map((j) => {
    const names = topology.journeyComponents(j);
    const e = estimateAvailability(names.map(model), domains, estimateOptions);
    const d = downtime(e.availability);
    return {
      name: j.name,
      availability: e.availability,
      objective: j.objective,
      downtimeMinutesPerYear: decimals3(d.minutesPerYear),
      downtimeMinutesPerMonth: decimals3(d.minutesPerMonth),
      components: names,
      zones: e.zones.map((z) => topology.zones[z]!),
      method: e.method,
      ...(e.samples !== undefined && { samples: e.samples }),
      ...(e.ci95 !== undefined && { ci95: e.ci95 }),
    };
  });

  // Each component once, however many journeys hold it, in journey order.
  const journeyComponents = [...new Set(journeys.flatMap((j) => j.components))];
  const spofs = new Set(journeyComponents.filter((c) => findSpof(topology, topology.component(c)) !== null));

  const findings: Finding[] = [];
  for (const j of journeys) findings.push(...objectiveRule(j, byName, spofs));
  findings.push(...spofFindings(topology, journeyComponents));
  for (const j of spec.journeys) findings.push(...retryAmplification(topology, j));
  for (const s of spec.services) {
    findings.push(...nPlusTwo(s), ...zoneLossOverload(s), ...healthRules(s), ...noAutoscale(s), ...callRetryRules(s));
  }
  for (const s of spec.stores) findings.push(...storeRules(topology, s, asOf));
  const dr = analyzeDisasters(topology);
  findings.push(...dr.findings);
  if (options.evidence) {
    for (const [i, d] of dr.disasters.entries()) {
      const drill = latestDrill(spec, spec.disasters[i]!, options.evidence);
      if (drill === null || drill.verdict === "not-run") continue;
      d.measured = {
        date: drill.date,
        scenario: drill.scenario,
        lostWrites: drill.lostWrites,
        rto: drill.rtoMs === null ? null : toSeconds(drill.rtoMs),
        verdict: drill.verdict,
      };
    }
  }

  return {
    name: spec.name,
    file: spec.file,
    asOf,
    journeys,
    components,
    findings: sortFindings(findings),
    disasters: dr.disasters,
    costs: {
      currency: spec.costs.currency,
      priced: hasCosts(spec),
      alternatives: costAlternatives(spec, estimateOptions, lowestJourney(journeys)),
    },
    durability: spec.stores.map((s) => durability(topology, s)),
    scalability: spec.services.map((s) => scalability(s)),
  };
}
