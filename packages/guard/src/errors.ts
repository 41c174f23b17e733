import { NinesError, type NinesErrorOptions, OPTION_INVALID } from "@nines/core";

/**
 * Every error code of the guard: written as `error` in the JSON body of the
 * answers it gives, or carried by the errors it throws. This is the only
 * place in `src` that spells a code; docs/guard.md lists each, and a test
 * keeps the two in step.
 *
 * @example
 * if (body.error === GUARD_ERRORS.rejected) retryElsewhere(body.retryAfterMs);
 */
export const GUARD_ERRORS = {
  /** 503: refused by the admission gate or while draining (`reason`: shed, quarantined, draining). */
  rejected: "NINES_GUARD_REJECTED",
  /** 413: the body is larger than `maxBodyBytes` (or `readBody`'s limit). */
  bodyTooLarge: "NINES_GUARD_BODY_TOO_LARGE",
  /** Thrown by `readBody` when the client closes the connection mid-body. */
  bodyAborted: "NINES_GUARD_BODY_ABORTED",
  /** 400: the request is not valid HTTP/1.1. */
  badRequest: "NINES_GUARD_BAD_REQUEST",
  /** 431: the request head is larger than `maxHeaderSize`. */
  headersTooLarge: "NINES_GUARD_HEADERS_TOO_LARGE",
  /** 408: headers or body not received within `headersTimeoutMs` / `requestTimeoutMs`. */
  requestTimeout: "NINES_GUARD_REQUEST_TIMEOUT",
  /** 503: the handler did not start a response within `handlerTimeoutMs`. */
  timeout: "NINES_GUARD_TIMEOUT",
  /** 500: the handler threw or its promise rejected before it answered (`node:http` adapter). */
  handlerFailed: "NINES_GUARD_HANDLER_FAILED",
  /** 500: a guard endpoint (health, metrics) failed to render. */
  endpointFailed: "NINES_GUARD_ENDPOINT_FAILED",
  /** 500: the admission gate threw. */
  gateFailed: "NINES_GUARD_GATE_FAILED",
  /** Thrown when the quarantine's crash journal cannot be read. */
  journalUnreadable: "NINES_GUARD_JOURNAL_UNREADABLE",
  /** Thrown when an option is invalid (by `requireOption` from @nines/core, as an `OptionError`). */
  optionInvalid: OPTION_INVALID,
} as const;

/** One of the codes in {@link GUARD_ERRORS}. */
export type GuardErrorCode = (typeof GUARD_ERRORS)[keyof typeof GUARD_ERRORS];

/**
 * The error the guard throws (its option checks throw core's `OptionError`).
 * Match it with `isNinesError(error, GUARD_ERRORS.x)`; the class is there so
 * that a stack trace says which part failed.
 *
 * @example
 * try {
 *   await readBody(req, { limitBytes: 64 * 1024 });
 * } catch (error) {
 *   if (isNinesError(error, GUARD_ERRORS.bodyTooLarge)) return answer413(res);
 *   throw error;
 * }
 */
export class GuardError extends NinesError {
  constructor(
    code: Exclude<GuardErrorCode, typeof GUARD_ERRORS.optionInvalid>,
    message: string,
    options?: NinesErrorOptions,
  ) {
    super(code, message, options);
  }

  override get name(): string {
    return "GuardError";
  }
}
