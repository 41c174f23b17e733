import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every error code of failover-aware access and the promoter, listed in
 * `docs/failover.md` (a test keeps the two in step).
 *
 * @example
 * if (isNinesError(error, FAILOVER_ERRORS.ambiguousCommit)) console.warn("it may have committed");
 */
export const FAILOVER_ERRORS = {
  /** No writable primary could be reached; retried by the client's policy while a failover happens. */
  noPrimary: "NINES_DATA_NO_PRIMARY",
  /** The connection dropped after the statement was sent: it may or may not have committed. */
  ambiguousCommit: "NINES_DATA_AMBIGUOUS_COMMIT",
  /** A statement was sent after `close()`. */
  clientClosed: "NINES_DATA_CLIENT_CLOSED",
  /** The standby did not finish its promotion in time. */
  promote: "NINES_DATA_PROMOTE",
} as const;

/** One of {@link FAILOVER_ERRORS}. */
export type FailoverErrorCode = (typeof FAILOVER_ERRORS)[keyof typeof FAILOVER_ERRORS];

/**
 * The error family of `FailoverClient` and `Promoter`; `code` is one of {@link FAILOVER_ERRORS}.
 *
 * @example
 * await db.query(sql).catch((e) => { if (isNinesError(e, FAILOVER_ERRORS.ambiguousCommit)) checkIfWritten(); throw e; });
 */
export class FailoverError extends NinesError {
  override get name(): string {
    return "FailoverError";
  }
}

/** Builds a failover error (one place for the shape). */
export function failoverError(
  what: keyof typeof FAILOVER_ERRORS,
  message: string,
  options: NinesErrorOptions = {},
): FailoverError {
  return new FailoverError(FAILOVER_ERRORS[what], message, options);
}
