import { rampFraction } from "./breaker-admission.js";
import type { BreakerMachine } from "./breaker-machine.js";
import type { CircuitBreakerJSON, CircuitState } from "./breaker-state.js";
import type { WindowSnapshot } from "./failure-window.js";

/**
 * What `snapshot()` reports.
 *
 * @example
 * const { state, retryAfterMs } = breaker.snapshot();
 */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  window: WindowSnapshot;
  openings: number;
  /** When open: ms until the next probe is allowed; otherwise 0. */
  retryAfterMs: number;
  /** The fraction of calls admitted now (1 when closed and not ramping, 0 when open or isolated). */
  admittedFraction: number;
}

/**
 * The breaker's state now, for metrics and dashboards.
 *
 * @example
 * const { state, admittedFraction } = breakerSnapshot(machine);
 */
export function breakerSnapshot(machine: BreakerMachine): CircuitBreakerSnapshot {
  const state = machine.current();
  const now = machine.settings.clock.now();
  return {
    state,
    window: machine.settings.window.snapshot(now),
    openings: machine.openings,
    retryAfterMs: state === "open" ? machine.halfOpenAt - now : 0,
    admittedFraction: state === "closed" ? rampFraction(machine, now) : 0,
  };
}

/**
 * The state as JSON, for `initialState` in a later process. Calls in flight are not saved.
 *
 * @example
 * writeFileSync(path, JSON.stringify(breakerToJSON(machine)));
 */
export function breakerToJSON(machine: BreakerMachine): CircuitBreakerJSON {
  const json: CircuitBreakerJSON = {
    version: 1,
    state: machine.state,
    openings: machine.openings,
    window: machine.settings.window.toJSON(),
  };
  if (machine.state === "open") json.halfOpenAt = machine.halfOpenAt;
  if (machine.lastOpenMs > 0) json.lastOpenMs = machine.lastOpenMs;
  if (machine.state === "closed" && machine.rampStartedAt !== undefined) json.rampStartedAt = machine.rampStartedAt;
  return json;
}

/**
 * Puts a machine in a saved state (already checked by `parseCircuitBreakerJSON`).
 * A saved ramp-up continues only when this breaker ramps up too.
 *
 * @example
 * restoreBreaker(machine, parseCircuitBreakerJSON(options.initialState));
 */
export function restoreBreaker(machine: BreakerMachine, saved: CircuitBreakerJSON): void {
  machine.settings.window.restore(saved.window);
  machine.openings = saved.openings;
  machine.lastOpenMs = saved.lastOpenMs ?? 0;
  machine.state = saved.state;
  if (saved.state === "open") machine.halfOpenAt = saved.halfOpenAt ?? 0;
  if (saved.state === "closed" && saved.rampStartedAt !== undefined && machine.settings.rampUpMs > 0)
    machine.rampStartedAt = saved.rampStartedAt;
}
