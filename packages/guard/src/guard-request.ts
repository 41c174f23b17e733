import type {
  Admission,
  AdmissionTicket,
  GuardRequestInfo,
  RejectReason,
  RequestOutcomeKind,
  RequestPriority,
} from "./admission-gate.js";
import type { Guard } from "./guard.js";

/** Request headers by lower-case name, as Node parses them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

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
 * letting a drain know). Adapters drive it; applications rarely see it.
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
  readonly #guard: Guard;
  readonly #headers: RequestHeaders;
  #ticket: AdmissionTicket | undefined;
  #admittedAt = 0;
  #rejected: RejectReason | undefined;
  #ended = false;

  constructor(guard: Guard, method: string, path: string, route: string, headers: RequestHeaders) {
    this.#guard = guard;
    this.method = method;
    this.path = path;
    this.route = route;
    this.#headers = headers;
    this.receivedAt = guard.clock.now();
    this.priority = guard.priorityOf ? guard.priorityOf(this) : "normal";
    this.deadlineAt = guard.deadlineOf ? guard.deadlineOf(this) : undefined;
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
    const draining = this.#guard.drainingRejection();
    const admission = draining ?? this.#guard.gate.admit(this, signal);
    if (admission instanceof Promise) return admission.then((a) => this.#took(a));
    return this.#took(admission);
  }

  /**
   * Ends the request: `status` 0 means the connection ended without a
   * response. `kind` overrides the outcome derived from the status.
   */
  end(status: number, kind?: RequestOutcomeKind): void {
    if (this.#ended) return;
    this.#ended = true;
    const now = this.#guard.clock.now();
    const outcome = kind ?? (this.#rejected ? outcomeOfRejection(this.#rejected) : outcomeOfStatus(status));
    if (this.#ticket !== undefined) this.#ticket.release({ kind: outcome, status, latencyMs: now - this.#admittedAt });
    this.#guard.metrics.record(this.route, this.method, outcome, now - this.receivedAt);
    this.#guard.ended();
  }

  #took(admission: Admission): Admission {
    if (admission.admitted) {
      if (this.#ended) admission.release({ kind: "client_error", status: 0, latencyMs: 0 });
      else {
        this.#ticket = admission;
        this.#admittedAt = this.#guard.clock.now();
      }
    } else this.#rejected = admission.reason;
    return admission;
  }
}
