// Public API of @nines/drill: run a spec's system locally (processes per zone,
// load balancers, fault proxies, PostgreSQL) and prove it (open-loop load,
// client-side measurement of availability, RPO and RTO, Chaos Mesh export).
export type { BackendSnapshot, BackendSpec } from "./balancer/backend.js";
export type { HealthCheckOptions } from "./balancer/health-checker.js";
export {
  LoadBalancer,
  type LoadBalancerEvents,
  type LoadBalancerOptions,
  type LoadBalancerSnapshot,
} from "./balancer/load-balancer.js";
export type { OutlierOptions } from "./balancer/outlier-detector.js";
export type { RecentStats } from "./balancer/recent-window.js";
export {
  buildChaosExperiments,
  type ChaosOptions,
  type ChaosPlan,
  type ChaosScenario,
} from "./chaos-mesh/build-chaos.js";
export type {
  ChaosMeta,
  ChaosObject,
  NetworkChaos,
  NetworkChaosSpec,
  PodChaos,
  PodChaosSpec,
  PodSelector,
  Schedule,
  Workflow,
  WorkflowTemplate,
} from "./chaos-mesh/chaos-types.js";
export { type ChaosProblem, checkChaos } from "./chaos-mesh/check-chaos.js";
export { emitChaosMesh } from "./chaos-mesh/emit-chaos-mesh.js";
export { renderChaosFiles } from "./chaos-mesh/render-chaos.js";
export {
  type BuildScenariosOptions,
  buildScenarios,
  DEPENDENCY_FAULTS,
  RETRY_STORM_FAULT,
} from "./drill/build-scenarios.js";
export type {
  Comparison,
  DrillResult,
  Measured,
  Objective,
  ServiceGoodput,
  TimelinePoint,
  Verdict,
} from "./drill/drill-result.js";
export type { DrillSystem } from "./drill/drill-system.js";
export { appendEvidence, evidenceRecords } from "./drill/evidence.js";
export { loadWorkload, WORKLOAD_FILE, workloadFileFor } from "./drill/load-workload.js";
export { type Prediction, type PredictOptions, predictScenario } from "./drill/predict.js";
export { renderDrillPage } from "./drill/render-drill-page.js";
export { type DrillOptions, runDrill, selectScenarios } from "./drill/run-drill.js";
export {
  type CallerPolicies,
  SCENARIO_KINDS,
  type Scenario,
  type ScenarioDisaster,
  type ScenarioKind,
  type ScenarioTimeline,
} from "./drill/scenario.js";
export { resultLine, scorecardHeader, scorecardRow, scorecardSummary } from "./drill/scorecard.js";
export {
  type DeletionHook,
  genericWorkload,
  type Workload,
  type WorkloadContext,
  type WriteCheck,
} from "./drill/workload.js";
export { DRILL_ERRORS, DrillError, type DrillErrorCode } from "./errors.js";
export type { FaultMode } from "./fault/fault-mode.js";
export { FaultProxy, type FaultProxyOptions, type FaultProxyStats } from "./fault/fault-proxy.js";
export { ZoneNetwork } from "./fault/zone-network.js";
export type { ArrivalProcess } from "./load/arrivals.js";
export {
  type Journey,
  type JourneyContext,
  type JourneyRequest,
  type JourneyResponse,
  sequence,
} from "./load/journey.js";
export { LoadGenerator, type LoadGeneratorOptions, type LoadResult } from "./load/load-generator.js";
export { isSuccessfulRequest, type PerSecondOptions, perSecond, type SecondStats } from "./load/per-second.js";
export { type ErrorKind, RequestLog, type RequestRecord } from "./load/request-log.js";
export { type RequestSummary, summarize } from "./load/summarize.js";
export { type DetectRtoOptions, detectRto, type RatioPoint } from "./measure/detect-rto.js";
export { failoverTime, type WriteOutcome } from "./measure/failover-time.js";
export { RpoLedger, type RpoResult } from "./measure/rpo-ledger.js";
export { type LifeEvent, type Replacement, timeToReplace } from "./measure/time-to-replace.js";
export { findPostgresBinaries, type PostgresBinaries } from "./postgres/postgres-binaries.js";
export { type PostgresMember, PostgresPair, type PostgresPairOptions } from "./postgres/postgres-pair.js";
export { RunDirectory, type RunDirectoryOptions } from "./process/run-directory.js";
export type { ExitReason, InstanceInfo, Placement, ServiceRun, SupervisorEvents } from "./process/service-run.js";
export { Supervisor, type SupervisorOptions } from "./process/supervisor.js";
export { type AutoscaleStatus, RESOURCE_REQUESTS } from "./up/autoscaler.js";
export { postgresVariable, sqliteVariable, urlVariable } from "./up/env-names.js";
export { type FrontDoor, RunningSystem, type RunningSystemEvents } from "./up/running-system.js";
export type { FailoverEvent, PostgresMemberView, RebuildEvent } from "./up/stores/postgres-store.js";
export type { StoreView } from "./up/stores/stores.js";
export {
  type PlannedCall,
  type PlannedEntry,
  type PlannedService,
  type PlannedStore,
  planSystem,
  type SystemPlan,
} from "./up/system-plan.js";
export type { InstanceView, ServiceView, SystemEvent, SystemSnapshot } from "./up/system-snapshot.js";
export { DEFAULT_SCALE, DEFAULT_TIME_SCALE, defaultRunDir, type UpOptions, up } from "./up/up.js";
export { renderSystemLine, renderSystemView } from "./up/view/render-view.js";
export { type LiveViewServer, serveLiveView } from "./up/view/view-server.js";
