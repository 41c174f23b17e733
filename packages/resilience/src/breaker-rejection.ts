import type { BreakerMachine } from "./breaker-machine.js";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";

/**
 * The error for a call the breaker refuses (`NINES_RESILIENCE_CIRCUIT_OPEN`),
 * with a message for the state it is in and `details.retryAfterMs`; emits
 * `rejection`. `fraction` is the admitted fraction during a ramp-up.
 *
 * @example
 * throw breakerRejection(machine, machine.halfOpenAt - now, 0);
 */
export function breakerRejection(
  machine: BreakerMachine,
  retryAfterMs: number | undefined,
  fraction: number,
): ResilienceError {
  const { name, probes, errorStacks } = machine.settings;
  const state = machine.state;
  let message: string;
  let hint = "retry after details.retryAfterMs, or use a fallback while the dependency recovers";
  if (state === "open") {
    message = `circuit breaker "${name}" is open; the next probe is allowed in ${retryAfterMs} ms`;
  } else if (state === "halfOpen") {
    const running =
      probes === 1 ? "its probe is running; if it fails" : `its ${probes} probes are running; if they fail`;
    message = `circuit breaker "${name}" is half-open and ${running}, the next probe is allowed in about ${retryAfterMs} ms (the last open duration)`;
  } else if (state === "isolated") {
    message = `circuit breaker "${name}" is isolated by hand; no call is allowed until reset()`;
    hint = "call reset() on the breaker to let calls through again";
  } else {
    const percent = Math.round(fraction * 1000) / 10;
    message = `circuit breaker "${name}" is ramping up after closing and admits ${percent}% of calls; this one was not admitted; the next call may be tried at once (retryAfterMs 0)`;
  }
  const details: Record<string, unknown> = { breaker: name, state };
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  if (state === "closed") details.admittedFraction = fraction;
  const error = new ResilienceError(RESILIENCE_ERRORS.circuitOpen, message, { hint, details, stack: errorStacks });
  if (machine.events.has("rejection")) machine.events.emit("rejection", { error, state });
  return error;
}
