import { Events } from "@nines/core";
import type { CircuitBreakerEvents } from "./breaker-events.js";
import type { BreakerSettings } from "./breaker-options.js";
import type { CircuitState } from "./breaker-state.js";
import type { OpenReason, WindowSnapshot } from "./failure-window.js";

const EMPTY: WindowSnapshot = { calls: 0, failures: 0, slowCalls: 0 };

/**
 * The states of one circuit breaker and the moves between them (closed ->
 * open -> halfOpen -> closed, isolated by hand), with the events each move
 * emits. Fields are plain so that the breaker's hot path reads them without
 * a call; only the breaker's own files touch them.
 *
 * @example
 * const machine = new BreakerMachine(breakerSettings({ window: { kind: "consecutive", failureThreshold: 5 } }));
 * machine.open("consecutiveFailures", clock.now());
 */
export class BreakerMachine {
  readonly events = new Events<CircuitBreakerEvents>();
  state: CircuitState = "closed";
  /** Bumped on every transition; results of calls admitted under an earlier state are not recorded. */
  generation = 0;
  /** When open: the instant from which the next call is a probe. */
  halfOpenAt = 0;
  openings = 0;
  /** The last open duration (0 after closing): the backoff's `previousMs`, and the half-open rejection's estimate. */
  lastOpenMs = 0;
  probesAdmitted = 0;
  probeSuccesses = 0;
  /** When closed and ramping up: when the circuit closed; undefined otherwise. */
  rampStartedAt: number | undefined;

  constructor(readonly settings: BreakerSettings) {}

  /** The state now: an open circuit whose open duration has passed becomes `halfOpen`. */
  current(): CircuitState {
    if (this.state === "open" && this.settings.clock.now() >= this.halfOpenAt)
      this.toHalfOpen(this.settings.clock.now());
    return this.state;
  }

  open(reason: OpenReason | "probeFailed", now: number): void {
    const { window, openMs: open } = this.settings;
    const snapshot = this.events.has("open") ? window.snapshot(now) : EMPTY;
    this.openings++;
    const openMs = typeof open === "number" ? open : Math.max(0, open.delayMs(this.openings, this.lastOpenMs));
    this.lastOpenMs = openMs;
    this.halfOpenAt = now + openMs;
    window.reset();
    this.rampStartedAt = undefined;
    this.transition("open", now);
    if (this.events.has("open"))
      this.events.emit("open", { at: now, halfOpenAt: this.halfOpenAt, openMs, reason, window: snapshot });
  }

  toHalfOpen(now: number): void {
    this.transition("halfOpen", now);
    if (this.events.has("halfOpen")) this.events.emit("halfOpen", { at: now });
  }

  close(now: number): void {
    this.openings = 0;
    this.lastOpenMs = 0;
    this.settings.window.reset();
    this.rampStartedAt = this.settings.rampUpMs > 0 ? now : undefined;
    this.transition("closed", now);
    this.#emitClosed(now);
  }

  /** Closes at once (no ramp-up) and forgets recorded calls and openings. */
  reset(now: number): void {
    const was = this.state;
    this.settings.window.reset();
    this.openings = 0;
    this.lastOpenMs = 0;
    this.rampStartedAt = undefined;
    this.transition("closed", now);
    if (was !== "closed") this.#emitClosed(now);
  }

  transition(to: CircuitState, now: number): void {
    const from = this.state;
    this.state = to;
    this.generation++;
    this.probesAdmitted = 0;
    this.probeSuccesses = 0;
    if (from !== to && this.events.has("stateChange")) this.events.emit("stateChange", { from, to, at: now });
    if (from !== to && to === "isolated" && this.events.has("isolated")) this.events.emit("isolated", { at: now });
  }

  #emitClosed(now: number): void {
    if (this.events.has("closed"))
      this.events.emit("closed", {
        at: now,
        rampEndsAt: this.rampStartedAt === undefined ? undefined : this.rampStartedAt + this.settings.rampUpMs,
      });
  }
}
