import { NinesError } from "@nines/core";

/**
 * Every error code `@nines/planner` throws. Match with
 * `isNinesError(error, PLANNER_ERRORS.specInvalid)` from `@nines/core`.
 * Invalid options (`analyze`'s `asOf`, `buildManifests`'s `namespace`...)
 * throw core's `NINES_OPTION_INVALID` through `requireOption`.
 *
 * @example
 * if (isNinesError(error, PLANNER_ERRORS.specInvalid)) printErrors(error.details["errors"]);
 */
export const PLANNER_ERRORS = {
  /** The spec has errors; `details.errors` lists them as `{ file, line, column, message, hint }`. */
  specInvalid: "NINES_SPEC_INVALID",
  /** The spec file cannot be read. */
  specUnreadable: "NINES_SPEC_UNREADABLE",
  /** A model built in code names an undeclared zone, component or disaster subject (`parseSpec` rejects these first). */
  unknownName: "NINES_PLANNER_UNKNOWN_NAME",
  /** A model built in code has calls that form a cycle (`parseSpec` rejects these first). */
  callCycle: "NINES_PLANNER_CALL_CYCLE",
  /** An exact enumeration over more than 30 zones was asked for (`analyze` samples above 20). */
  tooLarge: "NINES_PLANNER_TOO_LARGE",
  /** A drill evidence file (`nines plan --evidence`) holds a line that is not a drill record. */
  evidenceInvalid: "NINES_EVIDENCE_INVALID",
} as const;

/** One of {@link PLANNER_ERRORS}. */
export type PlannerErrorCode = (typeof PLANNER_ERRORS)[keyof typeof PLANNER_ERRORS];

/**
 * The family of every error the planner throws, so that a stack trace says
 * the planner failed; `code` is one of {@link PLANNER_ERRORS}.
 *
 * @example
 * throw new PlannerError(PLANNER_ERRORS.unknownName, 'planner: unknown zone "x"', { hint: "use one of: a, b" });
 */
export class PlannerError extends NinesError {
  override get name(): string {
    return "PlannerError";
  }
}
