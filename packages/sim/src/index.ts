// The public API of @nines/sim: the engine, queues and their exact figures, the
// spec-driven simulation with its scenarios, the year of failures, and the
// reports. The model's parts (instances, balancers, platform) are internal.
export { SimClock, type SimClockOptions } from "./engine/sim-clock.js";
export { SIM_ERRORS, SimError } from "./errors.js";
export type { SimAutoscalerOptions } from "./model/autoscaler.js";
export type { BalancerHealthOptions } from "./model/balancer.js";
export {
  type DownMode,
  type Elsewhere,
  type InstanceState,
  type InstanceTally,
  type ServiceFault,
  SimInstance,
  type SimInstanceOptions,
} from "./model/instance.js";
export type { SimOutcome } from "./model/outlier-ejection.js";
export { erlangC, type MmcFigures, mmc } from "./queueing/erlang-c.js";
export { type RunMmcOptions, type RunMmcResult, runMmc } from "./queueing/run-mmc.js";
export { type JobDone, Server, type ServerOptions, type ServerStats } from "./queueing/server.js";
export { constant, type Distribution, exponential, lognormal, uniform } from "./random/distributions.js";
export { type ComparedRun, renderComparisonPage } from "./report/comparison-page.js";
export { describeScenario } from "./report/describe-scenario.js";
export { renderSimulationPage } from "./report/simulation-page.js";
export { renderSimulationSummary } from "./report/simulation-summary.js";
export { dailyShare, type LoadCurve } from "./run/arrivals.js";
export { defaultScenario, type ScenarioParams } from "./run/default-scenario.js";
export type { RunMark } from "./run/faults.js";
export type { JourneySeries } from "./run/journey-series.js";
export { SIMULATION_LIMITS } from "./run/limits.js";
export { scaleSpec } from "./run/scale-spec.js";
export { SCENARIO_KINDS, type Scenario, type ScenarioKind } from "./run/scenario.js";
export type { ServiceSeries } from "./run/service-series.js";
export {
  type JourneyResult,
  type ServiceTimeModel,
  type SimulateOptions,
  type SimulationResult,
  simulate,
} from "./run/simulate.js";
export type { SimWorkload, WorkloadRequest } from "./run/workload.js";
export type { OutageMs } from "./year/failure-domains.js";
export { DOWNTIME_CAUSES, type DowntimeCause } from "./year/journey-tally.js";
export {
  type SimulateYearOptions,
  simulateYear,
  YEAR_MS,
  type YearJourneyResult,
  type YearResult,
  type YearSpread,
} from "./year/simulate-year.js";
