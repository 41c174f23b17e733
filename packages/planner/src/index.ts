// Public API: the analysis (availability model, rules, DR, risk/cost variants, durability,
// scalability), the reports (terminal, HTML with the deployment diagram) and Kubernetes export.
export { type AnalyzeOptions, analyze } from "./analysis/analyze.js";
export { atLeast } from "./analysis/availability/binomial.js";
export { type ComponentModel, componentModel, neededInstances } from "./analysis/availability/component-model.js";
export { downtime, HOURS_PER_YEAR, MINUTES_PER_MONTH, MINUTES_PER_YEAR } from "./analysis/availability/downtime.js";
export {
  type Estimate,
  type EstimateOptions,
  estimateAvailability,
  failureDomains,
  MAX_EXACT_ZONES,
} from "./analysis/availability/estimate.js";
export { costAlternatives, monthlyCost, variantSpec } from "./analysis/costs/variants.js";
export { serviceMechanisms } from "./analysis/dr/service-recovery.js";
export { storeMechanisms } from "./analysis/dr/store-mechanisms.js";
export { findSpof, type Spof } from "./analysis/rules/spof.js";
export { buildSpec, type SpecInput } from "./analysis/testing/build-spec.js";
export { Topology } from "./analysis/topology/topology.js";
export { checkManifests, type ManifestProblem } from "./k8s/check-manifests.js";
export { buildManifests, type K8sOptions, kubeName } from "./k8s/manifests.js";
export { renderManifestFiles } from "./k8s/render-manifests.js";
export type { Manifest, ServiceManifests } from "./k8s/types.js";
export type {
  BackupLocation,
  Call,
  Component,
  Costs,
  Disaster,
  DisasterKind,
  EdgeComponent,
  Journey,
  Platform,
  Region,
  RetryBackoff,
  Service,
  SourceLocation,
  Spec,
  Standby,
  Store,
} from "./model.js";
export { type Palette, palette, useColour, visibleLength } from "./report/colour.js";
export { type Layout, layoutDiagram } from "./report/diagram/layout.js";
export { type DiagramOptions, renderDiagramSvg } from "./report/diagram/svg.js";
export { resourceRows, scenarioRows } from "./report/dr-tables.js";
export { formatDuration, formatMinutes, formatMoney, formatPercent } from "./report/format.js";
export { renderHtmlReport } from "./report/html-report.js";
export { renderTerminalReport, type TerminalReportOptions } from "./report/terminal-report.js";
export { writeFileAtomic } from "./report/write-file-atomic.js";
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
export {
  CATALOG,
  type CatalogEntry,
  type CatalogLocation,
  catalogAvailability,
  catalogEntry,
  SELF_MANAGED_ENGINES,
} from "./spec/catalog.js";
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
