export { expressGuard } from "./adapters/express.js";
export { fastifyGuard } from "./adapters/fastify.js";
export { guardHttpServer } from "./adapters/node-http.js";
export { type AdaptiveGateOptions, adaptiveGate } from "./admission/adaptive-gate.js";
export {
  ADMISSION_REJECTED,
  AdmissionController,
  type AdmissionEvents,
  type AdmissionOptions,
  type AdmissionRequest,
  type Priority,
  type RejectReason as AdmissionRejectReason,
  type Ticket,
} from "./admission/admission-controller.js";
export { CoDel, type CoDelOptions } from "./admission/codel.js";
export {
  type ConcurrencyLimit,
  FixedLimit,
  Gradient2Limit,
  type Gradient2Options,
  type LimitSample,
} from "./admission/concurrency-limit.js";
export { type LoadReading, LoadSignals, type LoadSignalsOptions } from "./admission/load-signals.js";
export {
  type Admission,
  type AdmissionGate,
  type AdmissionRejection,
  type AdmissionTicket,
  CountedTicket,
  type GateSnapshot,
  type GuardRequestInfo,
  InflightCounter,
  passThroughGate,
  type RejectReason,
  type RequestOutcome,
  type RequestOutcomeKind,
  type RequestPriority,
  reject,
} from "./admission-gate.js";
export {
  type CleanupHook,
  Drainer,
  type DrainOptions,
  type DrainReport,
  type DrainTarget,
  type HookReport,
} from "./drain/drainer.js";
export { type Drainable, installShutdownSignals, type ShutdownSignalsOptions } from "./drain/shutdown-signals.js";
export { GUARD_ERRORS } from "./errors.js";
export { type FixedLimitGateOptions, fixedLimitGate } from "./fixed-limit-gate.js";
export {
  createGuard,
  type EndpointResponse,
  Guard,
  type GuardEndpoint,
  type GuardOptions,
  type GuardPaths,
  type GuardPhase,
} from "./guard.js";
export { GuardRequest, outcomeOfRejection, outcomeOfStatus, type RequestHeaders } from "./guard-request.js";
export {
  Health,
  type HealthEvents,
  type HealthOptions,
  type HealthReport,
  type ProbeKind,
  type ProbeStatus,
} from "./health/health.js";
export {
  type BreakerLike,
  type CheckReport,
  type CheckRun,
  type CheckStatus,
  HealthCheck,
  type HealthCheckOptions,
} from "./health/health-check.js";
export {
  type BadRequestCounter,
  hardenedServerOptions,
  hardenServer,
  type ServerHardeningOptions,
} from "./http/harden-server.js";
export { guardNodeRequest, type NodeRequestHooks } from "./http/node-pipeline.js";
export { BODY_TOO_LARGE, readBody } from "./http/read-body.js";
export {
  type BreakerSource,
  type BudgetSource,
  GuardMetrics,
  type GuardMetricsOptions,
  OTHER_ROUTE,
} from "./metrics/guard-metrics.js";
export { CrashJournal, type JournalState, type JournalStrike, type StrikeReason } from "./quarantine/crash-journal.js";
export {
  Quarantine,
  type QuarantineEvents,
  type QuarantineOptions,
  type RequestUsage,
  type Watch,
} from "./quarantine/quarantine.js";
