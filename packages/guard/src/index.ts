export { type GuardHttpServerOptions, guardHttpServer } from "./adapters/node-http.js";
export {
  AdmissionController,
  type AdmissionControllerTicket,
  type AdmissionEvents,
  type AdmissionOptions,
  type AdmissionRequest,
} from "./admission/admission-controller.js";
export type { CoDelOptions } from "./admission/codel.js";
export {
  type ConcurrencyLimit,
  FixedLimit,
  Gradient2Limit,
  type Gradient2Options,
  type LimitSample,
} from "./admission/concurrency-limit.js";
export type { LoadReading, LoadSignalsOptions } from "./admission/load-signals.js";
export type {
  Admission,
  AdmissionGate,
  AdmissionRejection,
  AdmissionTicket,
  GateSnapshot,
  GuardRequestInfo,
  RejectReason,
  RequestOutcome,
  RequestOutcomeKind,
  RequestPriority,
} from "./admission-gate.js";
export { reject } from "./admission-gate.js";
export {
  type CleanupHook,
  DRAIN_DEFAULTS,
  type DrainOptions,
  type DrainReport,
  type HookReport,
} from "./drain/drainer.js";
export { type Drainable, installShutdownSignals, type ShutdownSignalsOptions } from "./drain/shutdown-signals.js";
export { GUARD_ERRORS, GuardError, type GuardErrorCode } from "./errors.js";
export { type AdaptiveGate, type AdaptiveGateOptions, adaptiveGate } from "./gates/adaptive-gate.js";
export { type FixedLimitGateOptions, fixedLimitGate } from "./gates/fixed-limit-gate.js";
export { passThroughGate } from "./gates/pass-through-gate.js";
export {
  createGuard,
  type EndpointResponse,
  type Guard,
  type GuardEndpoint,
  type GuardEvents,
  type GuardOptions,
  type GuardPaths,
  type GuardPhase,
} from "./guard.js";
export type { RequestHeaders, UnclassifiedRequest } from "./guard-request.js";
export type { Health, HealthEvents, HealthOptions, HealthReport, ProbeKind, ProbeStatus } from "./health/health.js";
export type {
  BreakerSource,
  CheckReport,
  CheckRun,
  CheckStatus,
  HealthCheckOptions,
} from "./health/health-check.js";
export { hardenedServerOptions, type ServerHardeningOptions } from "./http/harden-server.js";
export { type ReadBodyOptions, readBody } from "./http/read-body.js";
export type { BudgetSource, GuardMetrics, GuardMetricsOptions } from "./metrics/guard-metrics.js";
export type { StrikeReason } from "./quarantine/crash-journal.js";
export {
  Quarantine,
  type QuarantineEvents,
  type QuarantineOptions,
  type RequestUsage,
  type Watch,
} from "./quarantine/quarantine.js";
