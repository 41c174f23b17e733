import type { Clock } from "@nines/core";
import type {
  Admission,
  AdmissionTicket,
  GuardRequestInfo,
  RejectReason,
  RequestOutcomeKind,
  RequestPriority,
} from "./admission-gate.js";

/** Request headers by lower-case name, as Node parses them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What the guard's `priorityOf` and `deadlineOf` see: the request before it has a priority and a deadline. */
export type UnclassifiedRequest = Pick<GuardRequestInfo, "method" | "path" | "route" | "receivedAt" | "header">;

/**
 * What a request needs from its guard, and all it may reach: the clock,
 * how to classify it, admission, and where to report its end. The guard
 * hands each request this narrow view instead of itself.
 *
 * @example
 * const host: RequestHost = { clock, priorityOf: undefined, deadlineOf: undefined, admit, failed, finished };
 */
export interface RequestHost {
  readonly clock: Clock;
  readonly priorityOf: ((request: UnclassifiedRequest) => RequestPriority) | undefined;
  readonly deadlineOf: ((request: UnclassifiedRequest) => number | undefined) | undefined;
  /** The gate's answer, or a `draining` refusal once the servers stopped accepting. */
  admit(request: GuardRequestInfo, signal: AbortSignal | undefined): Admission | Promise<Admission>;
  /** The handler threw or rejected (reported once per error). */
  failed(request: GuardRequest, error: unknown): void;
  /** Called exactly once per request, when it ends. */
  finished(request: GuardRequest, outcome: RequestOutcomeKind, durationMs: number): void;
}

/**
 * The outcome a status code stands for (0: the connection ended without a response).
 *
 * @example
 * outcomeOfStatus(503); // "server_error"
 */
export function outcomeOfStatus(status: number): RequestOutcomeKind {
  if (status >= 500) return "server_error";
  if (status >= 400 || status === 0) return "client_error";
  return "success";
}

/**
 * The outcome a rejection is counted as (`draining` counts as `shed`).
 *
 * @example
 * outcomeOfRejection("quarantined"); // "quarantined"
 */
export function outcomeOfRejection(reason: RejectReason): RequestOutcomeKind {
  return reason === "quarantined" ? "quarantined" : "shed";
}

/**
 * One application request as the guard follows it: asks the gate, then
 * ends exactly once (releasing the ticket, counting the outcome, and
 * letting a drain know). Adapters drive it; applications never see it.
 *
 * @example
 * const request = guard.begin("GET", "/users/7", "/users/:id", req.headers);
 * const admission = await request.admit(signal);
 * // ... run the handler, then:
 * request.end(200);
 */
export class GuardRequest implements GuardRequestInfo {
  readonly method: string;
  readonly path: string;
  route: string;
  readonly receivedAt: number;
  readonly priority: RequestPriority;
  readonly deadlineAt: number | undefined;
  readonly #host: RequestHost;
  readonly #headers: RequestHeaders;
  #ticket: AdmissionTicket | undefined;
  #admittedAt = 0;
  #rejected: RejectReason | undefined;
  #threw = false;
  #ended = false;

  constructor(host: RequestHost, method: string, path: string, route: string, headers: RequestHeaders) {
    this.#host = host;
    this.method = method;
    this.path = path;
    this.route = route;
    this.#headers = headers;
    this.receivedAt = host.clock.now();
    this.priority = host.priorityOf ? host.priorityOf(this) : "normal";
    this.deadlineAt = host.deadlineOf ? host.deadlineOf(this) : undefined;
  }

  header(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  /** True once `end` ran. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Asks the gate (or refuses with `draining` once the server stopped accepting). */
  admit(signal: AbortSignal | undefined): Admission | Promise<Admission> {
    const admission = this.#host.admit(this, signal);
    if (admission instanceof Promise) return admission.then((a) => this.#took(a));
    return this.#took(admission);
  }

  /**
   * The handler threw or its promise rejected. The request is then counted
   * as a `server_error` unless it still ended with a success or a client
   * error (a framework that maps the error to a 4xx), and the gate hears
   * `threw` (a quarantine strike).
   */
  fail(error: unknown): void {
    this.#threw = true;
    this.#host.failed(this, error);
  }

  /**
   * Ends the request: `status` 0 means the connection ended without a
   * response. `kind` overrides the outcome derived from the status.
   */
  end(status: number, kind?: RequestOutcomeKind): void {
    if (this.#ended) return;
    this.#ended = true;
    const now = this.#host.clock.now();
    const threw = this.#threw && (status === 0 || status >= 500);
    const outcome =
      kind ?? (this.#rejected ? outcomeOfRejection(this.#rejected) : threw ? "server_error" : outcomeOfStatus(status));
    if (this.#ticket !== undefined)
      this.#ticket.release(
        threw
          ? { kind: outcome, status, latencyMs: now - this.#admittedAt, threw }
          : { kind: outcome, status, latencyMs: now - this.#admittedAt },
      );
    this.#host.finished(this, outcome, now - this.receivedAt);
  }

  #took(admission: Admission): Admission {
    if (admission.admitted) {
      if (this.#ended) admission.release({ kind: "client_error", status: 0, latencyMs: 0 });
      else {
        this.#ticket = admission;
        this.#admittedAt = this.#host.clock.now();
      }
    } else this.#rejected = admission.reason;
    return admission;
  }
}
