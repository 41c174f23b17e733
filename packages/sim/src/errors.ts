import { NinesError, OPTION_INVALID } from "@nines/core";

/**
 * Every error code the simulator throws. docs/simulate.md lists each; a test
 * keeps the two in step.
 *
 * @example
 * if (isNinesError(error, SIM_ERRORS.runaway)) console.error(error.describe());
 */
export const SIM_ERRORS = {
  /** A run was started while another run of the same clock was still going. */
  running: "NINES_SIM_RUNNING",
  /** An event's callback threw; the run stopped at that event (the cause is the error). */
  eventFailed: "NINES_SIM_EVENT_FAILED",
  /** Too many events fired without time moving, or more than a run's event limit. */
  runaway: "NINES_SIM_RUNAWAY",
  /** The scenario does not fit the spec (an unknown zone, a negative time) or is unknown. */
  scenarioInvalid: "NINES_SIM_SCENARIO_INVALID",
  /** Thrown when an option is invalid (from @nines/core). */
  optionInvalid: OPTION_INVALID,
} as const;

/**
 * The family of every error the simulator throws.
 *
 * @example
 * throw new SimError(SIM_ERRORS.scenarioInvalid, "zone-loss: no zone mars-1a", { hint: "name a zone of the spec" });
 */
export class SimError extends NinesError {
  override get name(): string {
    return "SimError";
  }
}
