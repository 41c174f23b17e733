import type { CircuitState } from "./breaker-state.js";
import type { ResilienceError } from "./errors.js";
import type { OpenReason, WindowSnapshot } from "./failure-window.js";

/**
 * Events a breaker emits; all are synchronous and cheap when nobody listens.
 * Instants (`at`, `halfOpenAt`, `rampEndsAt`) are on the breaker's clock.
 *
 * @example
 * breaker.on("open", ({ halfOpenAt, reason }) => log.warn(`open (${reason}) until ${new Date(halfOpenAt).toISOString()}`));
 */
export interface CircuitBreakerEvents {
  stateChange: { from: CircuitState; to: CircuitState; at: number };
  /** `halfOpenAt` = `at + openMs`: from then the next call is a probe. */
  open: { at: number; halfOpenAt: number; openMs: number; reason: OpenReason | "probeFailed"; window: WindowSnapshot };
  halfOpen: { at: number };
  /** `rampEndsAt`: when every call is admitted again (undefined without a ramp-up). */
  closed: { at: number; rampEndsAt: number | undefined };
  isolated: { at: number };
  /** `durationMs` is measured when `slowCallMs` is set or someone listens to success/failure. */
  success: { durationMs: number | undefined; slow: boolean; probe: boolean };
  failure: { error: unknown; durationMs: number | undefined; slow: boolean; probe: boolean };
  /** A call ended with an error that is not a dependency failure (abort, bulkhead full, overloaded, isFailure false). */
  ignored: { error: unknown };
  rejection: { error: ResilienceError; state: CircuitState };
}
