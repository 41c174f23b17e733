// Public API: the spec (parsing, validation, the model), the analysis (availability,
// rules, DR, risk/cost variants, durability, scalability), the reports (terminal,
// HTML with the deployment diagram) and Kubernetes export. Internals (the topology
// index, the availability machinery, the layout phases) are not exported.
export { type AnalyzeOptions, analyze } from "./analysis/analyze.js";
export { atLeast } from "./analysis/availability/binomial.js";
export { neededInstances } from "./analysis/availability/component-model.js";
export { downtime, HOURS_PER_YEAR, MINUTES_PER_MONTH, MINUTES_PER_YEAR } from "./analysis/availability/downtime.js";
export { MAX_EXACT_ZONES, MAX_SAMPLES } from "./analysis/availability/estimate.js";
export {
  type AvailabilityWithDown,
  availabilityWithDown,
  type DownDomains,
} from "./analysis/availability/with-down.js";
export { costAlternatives, hasCosts, monthlyCost, variantSpec } from "./analysis/costs/variants.js";
export { type CountedStandby, type CountedZones, countedZones } from "./analysis/topology/counted-zones.js";
export { PLANNER_ERRORS, PlannerError, type PlannerErrorCode } from "./errors.js";
export { type DrillEvidence, latestDrill, parseEvidence, withEvidence } from "./evidence/evidence.js";
export { checkManifests, type ManifestProblem } from "./k8s/check-manifests.js";
export { drainTimeline, EXIT_MARGIN_SECONDS } from "./k8s/drain-timeline.js";
export { buildManifests, type K8sOptions, kubeName, REGION_KEY, ZONE_KEY } from "./k8s/manifests.js";
export { renderManifestFiles } from "./k8s/render-manifests.js";
export type { Manifest, ServiceManifests } from "./k8s/types.js";
export type {
  BackupLocation,
  Call,
  Component,
  Costs,
  Disaster,
  DisasterKind,
  DrainSpec,
  EdgeComponent,
  HealthPaths,
  Journey,
  Platform,
  Region,
  Replicate,
  RetryBackoff,
  RunSpec,
  Service,
  SourceLocation,
  Spec,
  Standby,
  Store,
} from "./model.js";
export {
  renderTimelinePage,
  type TimelineMark,
  type TimelinePage,
  type TimelinePanel,
  type TimelineSeries,
} from "./report/charts/timeline-page.js";
export { useColour, visibleLength } from "./report/colour.js";
export { type Layout, layoutDiagram } from "./report/diagram/layout.js";
export { type DiagramOptions, renderDiagramSvg } from "./report/diagram/svg.js";
export { resourceRows, scenarioRows } from "./report/dr-tables.js";
export { formatDuration, formatMinutes, formatMoney, formatPercent } from "./report/format.js";
export { renderHtmlReport } from "./report/html-report.js";
export { renderTerminalReport, type TerminalReportOptions } from "./report/terminal-report.js";
export type {
  ComponentResult,
  CostAlternative,
  DisasterResult,
  DurabilityResult,
  EstimateMethod,
  Finding,
  JourneyResult,
  PlanResult,
  RuleId,
  ScalabilityResult,
  Severity,
  Threat,
} from "./result.js";
export { fromSeconds, toSeconds } from "./result-seconds.js";
export {
  CATALOG,
  type CatalogEntry,
  type CatalogLocation,
  catalogAvailability,
  catalogEntry,
  SELF_MANAGED_ENGINES,
} from "./spec/catalog.js";
export { DRAIN_DEFAULTS, HEALTH_PATHS, REPLICATE_INTERVAL_MS } from "./spec/defaults.js";
export { loadSpec, SPEC_INVALID, SPEC_UNREADABLE } from "./spec/load-spec.js";
export { type ParseSpecResult, parseSpec } from "./spec/parse-spec.js";
export { specJsonSchema } from "./spec/schema.js";
export { formatSpecError, type SpecError } from "./spec/spec-error.js";
export {
  PERIOD_HOURS,
  parseDuration,
  parseIsoDate,
  parseMoney,
  parsePercent,
  type ValueResult,
} from "./spec/values.js";
