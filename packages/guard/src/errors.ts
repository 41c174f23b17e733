/**
 * Every error code the guard uses, in responses (`error` in the JSON body)
 * or thrown. docs/guard.md lists each; a test keeps the two in step.
 *
 * @example
 * if (body.error === GUARD_ERRORS.rejected) retryElsewhere();
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
  /** 500: a guard endpoint (health, metrics) failed to render. */
  endpointFailed: "NINES_GUARD_ENDPOINT_FAILED",
  /** 500: the admission gate threw. */
  gateFailed: "NINES_GUARD_GATE_FAILED",
  /** Thrown when the quarantine's crash journal cannot be read. */
  journalUnreadable: "NINES_GUARD_JOURNAL_UNREADABLE",
  /** Thrown when an option is invalid (from @nines/core). */
  optionInvalid: "NINES_OPTION_INVALID",
} as const;
