// R1: contracts, pipeline and core policies.
export {
  type Backoff,
  constantBackoff,
  type ExponentialBackoffOptions,
  exponentialBackoff,
  type Jitter,
} from "./backoff.js";
// R2: circuit breaker, retry budget, throttling, keyed policies, HTTP (below).
export { type CircuitBreakerJSON, type CircuitState, parseCircuitBreakerJSON } from "./breaker-state.js";
export { Bulkhead, type BulkheadEvents, type BulkheadOptions, bulkhead } from "./bulkhead.js";
export {
  CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  circuitBreaker,
} from "./circuit-breaker.js";
export { isNotDependencyFailure } from "./classify-error.js";
export { RESILIENCE_ERRORS, type ResilienceErrorCode } from "./errors.js";
export { abortedError, Execution } from "./execution-context.js";
export type { FailureWindowOptions, OpenReason, WindowSnapshot } from "./failure-window.js";
export { Fallback, type FallbackEvents, type FallbackOptions, fallback } from "./fallback.js";
export { Hedging, type HedgingEvents, type HedgingOptions, hedging } from "./hedging.js";
export {
  DEFAULT_RETRYABLE_STATUSES,
  type FetchLike,
  type FetchResponseLike,
  HTTP_STATUS_ERROR,
  type HttpCall,
  type HttpFetchOptions,
  httpFetch,
  REJECTED_HEADER,
} from "./http.js";
export { type EvictionReason, KeyedPolicies, type KeyedPoliciesOptions, keyedPolicies } from "./keyed.js";
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
export { SlidingCounter } from "./sliding-counter.js";
export {
  AdaptiveThrottle,
  type AdaptiveThrottleEvents,
  type AdaptiveThrottleOptions,
  type AdaptiveThrottleSnapshot,
  adaptiveThrottle,
} from "./throttle.js";
export { Timeout, type TimeoutEvents, type TimeoutMode, type TimeoutOptions, timeout } from "./timeout.js";
