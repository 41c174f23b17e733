import type { RunningSystem } from "../up/running-system.js";

/**
 * What a drill needs of a running system: what `up()` returns. A system
 * that can also restart a service's instances with other environment
 * variables (`restartService`) lets the retry storm drive its callers
 * with naive policies; without it that run is `not-run`.
 *
 * @example
 * const system: DrillSystem = await up("examples/clicktravel/nines.yaml");
 */
export type DrillSystem = Pick<
  RunningSystem,
  | "plan"
  | "frontDoor"
  | "runDir"
  | "on"
  | "instances"
  | "lostZones"
  | "snapshot"
  | "killInstance"
  | "loseZone"
  | "restoreZone"
  | "setFault"
  | "crashDatabase"
  | "database"
> & {
  /** Replaces every instance of `service`, one at a time, with `env` added to its environment ({} restores the spec's). */
  restartService?(service: string, env: Record<string, string>): Promise<void>;
};
