// The public API of @nines/resilience: the policies, the pipeline contract,
// the HTTP helper and the error codes. Everything else in src is internal.
export {
  type Backoff,
  constantBackoff,
  type ExponentialBackoffOptions,
  exponentialBackoff,
  type Jitter,
} from "./backoff.js";
export { type CircuitBreakerJSON, type CircuitState, parseCircuitBreakerJSON } from "./breaker-state.js";
export { Bulkhead, type BulkheadEvents, type BulkheadOptions, bulkhead } from "./bulkhead.js";
export {
  CALL_POLICY_DEFAULTS,
  type CallBackoff,
  type CallDescription,
  type CallPolicy,
  type CallPolicyOptions,
  callPolicy,
} from "./call-policy.js";
export {
  CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  circuitBreaker,
} from "./circuit-breaker.js";
export { isNotDependencyFailure } from "./classify-error.js";
export { RESILIENCE_ERRORS, ResilienceError, type ResilienceErrorCode } from "./errors.js";
export { abortedError, Execution } from "./execution-context.js";
export type { FailureWindowOptions, OpenReason, WindowSnapshot } from "./failure-window.js";
export { Fallback, type FallbackEvents, type FallbackOptions, fallback } from "./fallback.js";
export { Hedging, type HedgingEvents, type HedgingOptions, hedging } from "./hedging.js";
export {
  DEFAULT_RETRYABLE_STATUSES,
  type FetchLike,
  type FetchResponseLike,
  type HttpCall,
  type HttpFetchOptions,
  httpFetch,
} from "./http.js";
export { type HttpStatusAnswer, httpStatusError, REJECTED_HEADER } from "./http-status-error.js";
export { type EvictionReason, KeyedPolicies, type KeyedPoliciesOptions, keyedPolicies } from "./keyed.js";
export { type NetworkErrorKind, type NetworkErrorOptions, networkErrorOfKind } from "./network-error.js";
export { OutlierRecord } from "./outlier-record.js";
export {
  type EjectReason,
  type OutlierOptions,
  type OutlierOutcome,
  type OutlierPeer,
  OutlierRules,
} from "./outlier-rules.js";
export { Pipeline, wrap } from "./pipeline.js";
export type {
  ExecuteOptions,
  ExecutionContext,
  Operation,
  PipelineStage,
  Policy,
  PolicyEnvironment,
} from "./policy.js";
export {
  type GiveUpReason,
  type Outcome,
  Retry,
  type RetryEvents,
  type RetryOptions,
  retry,
  retryableByDefault,
} from "./retry.js";
export { parseRetryAfter, retryAfterOf } from "./retry-after.js";
export {
  RetryBudget,
  type RetryBudgetEvents,
  type RetryBudgetOptions,
  type RetryGate,
  retryBudget,
} from "./retry-budget.js";
export {
  AdaptiveThrottle,
  type AdaptiveThrottleEvents,
  type AdaptiveThrottleOptions,
  type AdaptiveThrottleSnapshot,
  adaptiveThrottle,
} from "./throttle.js";
export {
  Timeout,
  type TimeoutEvents,
  type TimeoutMode,
  type TimeoutOptions,
  timeout,
  timeoutError,
} from "./timeout.js";
