import type { BreakerMachine } from "./breaker-machine.js";
import { breakerRejection } from "./breaker-rejection.js";

/**
 * Admits a call or throws the rejection: every call while closed (during a
 * ramp-up after closing, a growing fraction of them), none while open
 * until the open duration ends, then up to `halfOpenProbes` probes.
 * Returns true for a probe, false for an ordinary call.
 *
 * @example
 * const probe = admitCall(machine); // throws NINES_RESILIENCE_CIRCUIT_OPEN when refused
 */
export function admitCall(machine: BreakerMachine): boolean {
  switch (machine.state) {
    case "closed":
      if (machine.rampStartedAt !== undefined) admitRamp(machine);
      return false;
    case "open": {
      const now = machine.settings.clock.now();
      if (now < machine.halfOpenAt) throw breakerRejection(machine, machine.halfOpenAt - now, 0);
      machine.toHalfOpen(now);
      return admitProbe(machine);
    }
    case "halfOpen":
      return admitProbe(machine);
    default:
      throw breakerRejection(machine, undefined, 0);
  }
}

function admitProbe(machine: BreakerMachine): boolean {
  if (machine.probesAdmitted < machine.settings.probes) {
    machine.probesAdmitted++;
    return true;
  }
  throw breakerRejection(machine, machine.lastOpenMs, 0);
}

function admitRamp(machine: BreakerMachine): void {
  const fraction = rampFraction(machine, machine.settings.clock.now());
  if (fraction >= 1) {
    machine.rampStartedAt = undefined;
    return;
  }
  if (machine.settings.random.next() >= fraction) throw breakerRejection(machine, 0, fraction);
}

/**
 * The fraction of calls admitted at `now`: 1 unless ramping up after
 * closing, when it grows linearly from `rampUpStartFraction` to 1 over `rampUpMs`.
 *
 * @example
 * rampFraction(machine, clock.now()); // 0.55 halfway through a ramp from 0.1
 */
export function rampFraction(machine: BreakerMachine, now: number): number {
  if (machine.rampStartedAt === undefined) return 1;
  const { rampUpMs, rampStart } = machine.settings;
  const elapsed = now - machine.rampStartedAt;
  if (elapsed >= rampUpMs) return 1;
  return rampStart + ((1 - rampStart) * Math.max(0, elapsed)) / rampUpMs;
}

/**
 * Records a probe's result: a failed or slow probe opens the circuit again;
 * once every probe of the half-open state succeeded, it closes.
 *
 * @example
 * settleProbe(machine, failed || slow);
 */
export function settleProbe(machine: BreakerMachine, failedOrSlow: boolean): void {
  if (failedOrSlow) machine.open("probeFailed", machine.settings.clock.now());
  else if (++machine.probeSuccesses >= machine.settings.probes) machine.close(machine.settings.clock.now());
}
