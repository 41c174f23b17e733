/**
 * The seam between the guard's request pipeline and whatever decides whether
 * a request may run now: the gates in `src/gates/` (pass-through, a fixed
 * concurrency limit, the adaptive admission queue with the query-of-death
 * quarantine) or one of your own. The pipeline calls `admit` once per
 * application request (never for health or metrics endpoints), then either
 * runs the handler and calls `ticket.release(outcome)` exactly once when the
 * response ends, or answers the rejection with a fast 503. These are the
 * only admission values: the admission controller speaks them too.
 */

/** How important a request is: `critical` is shed last, `sheddable` first. */
export type RequestPriority = "critical" | "normal" | "sheddable";

/**
 * Why a request was refused without running (the `x-nines-rejected` header);
 * the finer cause, when there is one, is the rejection's `detail`.
 */
export type RejectReason = "shed" | "quarantined" | "draining";

/** How a request ended, as counted in `nines_http_requests_total{outcome}`. */
export type RequestOutcomeKind = "success" | "client_error" | "server_error" | "shed" | "quarantined" | "timed_out";

/** What the gate learns about one request before it runs. */
export interface GuardRequestInfo {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The URL path without the query string. */
  readonly path: string;
  /** The route template when the framework knows it (`/users/:id`), else the path. */
  readonly route: string;
  /** Clock time (ms) when the guard saw the request. */
  readonly receivedAt: number;
  /** From the guard's `priorityOf` option (default `normal`). */
  readonly priority: RequestPriority;
  /** Clock time (ms) after which the client no longer wants an answer, when known. */
  readonly deadlineAt: number | undefined;
  /** A request header (lower-case name), first value. */
  header(name: string): string | undefined;
}

/** What the gate is told when an admitted request ends. */
export interface RequestOutcome {
  readonly kind: RequestOutcomeKind;
  /** The response status (0 when the connection ended without one). */
  readonly status: number;
  /** From admission to the end of the response, in ms on the guard's clock. */
  readonly latencyMs: number;
  /** The handler threw or its promise rejected (counted as a quarantine strike of kind `error`). */
  readonly threw?: boolean;
}

/** Permission to run; release it exactly once (extra calls are ignored). */
export interface AdmissionTicket {
  readonly admitted: true;
  release(outcome: RequestOutcome): void;
}

/** A refusal, answered with 503, `Retry-After` and `x-nines-rejected: <reason>`. */
export interface AdmissionRejection {
  readonly admitted: false;
  readonly reason: RejectReason;
  /** When the client may try again (rounded up to whole seconds in `Retry-After`). */
  readonly retryAfterMs: number;
  /**
   * The finer cause, shown in the response body: for the admission
   * controller one of `gone`, `expired`, `queue-timeout`, `queue-full`,
   * `overloaded`, `pressure`; for the quarantine the refused fingerprint.
   */
  readonly detail?: string;
}

/**
 * What a gate answers: a ticket, or a rejection.
 *
 * @example
 * const admission = await gate.admit(request, signal);
 * if (!admission.admitted) return answer503(admission.reason, admission.retryAfterMs);
 */
export type Admission = AdmissionTicket | AdmissionRejection;

/** What the gate reports to `/metrics` at scrape time. */
export interface GateSnapshot {
  /** Admitted requests not yet released. */
  readonly inflight: number;
  /** Requests waiting for admission. */
  readonly queueLength: number;
  /** The current concurrency limit (Infinity when unlimited). */
  readonly limit: number;
}

/**
 * Decides whether a request may run. `admit` may answer synchronously (the
 * cheap, common case: no promise is created) or later (a queue); when
 * `signal` aborts (the client went away) a pending admission should settle
 * as a rejection and leave nothing behind.
 *
 * @example
 * const gate: AdmissionGate = {
 *   admit: () => ({ admitted: true, release() {} }),
 *   snapshot: () => ({ inflight: 0, queueLength: 0, limit: Number.POSITIVE_INFINITY }),
 * };
 */
export interface AdmissionGate {
  admit(request: GuardRequestInfo, signal: AbortSignal | undefined): Promise<Admission> | Admission;
  snapshot(): GateSnapshot;
  /**
   * `false` when `admit` never looks at `signal` (it answers at once): the
   * pipeline then skips creating an AbortController per request. Default true.
   */
  readonly needsSignal?: boolean;
  /** Called once when the guard starts draining (a queue can reject its waiters with `draining`). */
  close?(): void;
}

/**
 * Builds a rejection (the shape every gate returns).
 *
 * @example
 * if (tooBusy) return reject("shed", 1000);
 */
export function reject(reason: RejectReason, retryAfterMs: number, detail?: string): AdmissionRejection {
  return detail === undefined
    ? { admitted: false, reason, retryAfterMs }
    : { admitted: false, reason, retryAfterMs, detail };
}
