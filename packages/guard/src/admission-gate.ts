/**
 * The seam between the guard's request pipeline and whatever decides whether
 * a request may run now: a pass-through, a fixed concurrency limit (both
 * here), or the adaptive admission queue and the query-of-death quarantine
 * (`src/admission/`, `src/quarantine/`). The pipeline calls `admit` once per
 * application request (never for health or metrics endpoints), then either
 * runs the handler and calls `ticket.release(outcome)` exactly once when the
 * response ends, or answers the rejection with a fast 503.
 */

/** How important a request is: `critical` is shed last, `sheddable` first. */
export type RequestPriority = "critical" | "normal" | "sheddable";

/** Why a request was refused without running. */
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
  /** Shown in the response body, for people (for example the quarantined fingerprint). */
  readonly detail?: string;
}

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

/**
 * Admits everything; counts what runs (so `/metrics` still shows in-flight).
 *
 * @example
 * const guard = createGuard({ gate: passThroughGate() });
 */
export function passThroughGate(): AdmissionGate {
  const counter = new InflightCounter();
  return {
    admit: () => new CountedTicket(counter),
    snapshot: () => ({ inflight: counter.inflight, queueLength: 0, limit: Number.POSITIVE_INFINITY }),
    needsSignal: false,
  };
}

/** A count of admitted, unreleased requests (for simple gates). */
export class InflightCounter {
  inflight = 0;
}

/**
 * A ticket that counts itself in an {@link InflightCounter} until released
 * (once). A class, not a closure: one small allocation per request.
 *
 * @example
 * const counter = new InflightCounter();
 * const ticket = new CountedTicket(counter); // counter.inflight === 1
 * ticket.release(outcome);                   // counter.inflight === 0
 */
export class CountedTicket implements AdmissionTicket {
  readonly admitted = true as const;
  #counter: InflightCounter | undefined;

  constructor(counter: InflightCounter) {
    counter.inflight++;
    this.#counter = counter;
  }

  release(): void {
    if (this.#counter === undefined) return;
    this.#counter.inflight--;
    this.#counter = undefined;
  }
}
