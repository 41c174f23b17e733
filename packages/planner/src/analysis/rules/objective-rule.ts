import type { ComponentResult, Finding, JourneyResult } from "../../result.js";
import { finding } from "./findings.js";
import { decimals3, percent } from "./format.js";

/**
 * `availability-objective` (error): a journey's availability strictly
 * below its objective; not evaluated without an objective. The message
 * names the journey's weakest components (lowest standalone availability)
 * and the single points of failure to fix first.
 *
 * @example
 * objectiveRule(journey, components, new Set(["orders-db"]));
 */
export function objectiveRule(
  journey: JourneyResult,
  components: ReadonlyMap<string, ComponentResult>,
  spofs: ReadonlySet<string>,
): Finding[] {
  if (journey.objective === null || journey.availability >= journey.objective) return [];
  const weakest = journey.components
    .map((name) => components.get(name))
    .filter((c): c is ComponentResult => c !== undefined)
    .sort((a, b) => a.availability - b.availability)
    .slice(0, 3)
    .map((c) => `${c.name} ${percent(c.availability)}`);
  const single = journey.components.filter((c) => spofs.has(c));
  const change =
    single.length > 0
      ? `remove its single points of failure (${single.join(", ")}) and raise its weakest components (${weakest.join(", ")})`
      : `raise its weakest components (${weakest.join(", ")}): more instances or zones, a replica, or a higher-SLA engine`;
  return [
    finding(
      "availability-objective",
      "error",
      journey.name,
      `${journey.name} is ${percent(journey.availability)} available (about ${decimals3(journey.downtimeMinutesPerYear)} minutes down a year), below its objective ${percent(journey.objective)}: ${change}`,
      { availability: journey.availability, objective: journey.objective },
    ),
  ];
}
