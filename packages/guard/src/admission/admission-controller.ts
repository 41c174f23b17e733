import {
  type Clock,
  Events,
  type Listener,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import {
  type Admission,
  type AdmissionGate,
  type AdmissionRejection,
  type AdmissionTicket,
  type GateSnapshot,
  type RejectReason,
  type RequestOutcome,
  type RequestPriority,
  reject,
} from "../admission-gate.js";
import { CoDel, type CoDelOptions } from "./codel.js";
import { type ConcurrencyLimit, FixedLimit, Gradient2Limit } from "./concurrency-limit.js";
import { type Queued, RequestQueue } from "./request-queue.js";

/** Most important first: critical requests are shed last. */
const PRIORITIES: readonly RequestPriority[] = ["critical", "normal", "sheddable"];

/** What the controller reads from a request (a guard's `GuardRequestInfo` fits). */
export interface AdmissionRequest {
  /** Default "normal". */
  readonly priority?: RequestPriority;
  /** Clock time after which serving is pointless: the request is dropped before it costs anything. */
  readonly deadlineAt?: number | undefined;
}

/** Permission to run one request; release it exactly once when the response is done. */
export interface AdmissionControllerTicket extends AdmissionTicket {
  /** Milliseconds the request waited in the queue. */
  readonly queuedMs: number;
}

/** Events of {@link AdmissionController}. */
export interface AdmissionEvents {
  admitted: { priority: RequestPriority; queuedMs: number };
  rejected: { priority: RequestPriority; reason: RejectReason; detail: string | undefined; retryAfterMs: number };
  limit: { limit: number };
}

/** Options of {@link AdmissionController}. */
export interface AdmissionOptions {
  /** A number for a fixed limit, or an adaptive {@link ConcurrencyLimit}. Default `new Gradient2Limit()`. */
  limit?: ConcurrencyLimit | number;
  /** Requests that may wait, all priorities together (>= 0). Default 1000. */
  maxQueue?: number;
  /** Queue-delay control. Defaults: target 20 ms, interval 100 ms. */
  codel?: CoDelOptions;
  /**
   * How long the starter may run before yielding to I/O, in ms (default 0:
   * one start per turn of the event loop). Yielding lets the server read new
   * requests between handlers, so the backlog is in this queue, where it can
   * be seen, ordered and cut, instead of in socket buffers.
   */
  yieldAfterMs?: number;
  /** How the starter is deferred to the next turn. Default `setImmediate`; a simulation passes its own. */
  defer?: (run: () => void) => void;
  clock?: Clock;
}

/** The keys of {@link AdmissionOptions}, for misspelling checks. */
export const ADMISSION_OPTION_KEYS = ["limit", "maxQueue", "codel", "yieldAfterMs", "defer", "clock"] as const;

/** The finer cause of a `shed` refusal (the rejection's `detail`). */
type ShedCause = "gone" | "expired" | "queue-timeout" | "queue-full" | "overloaded" | "pressure";

interface Entry extends Queued {
  readonly priority: RequestPriority;
  readonly deadlineAt: number;
  /** Given the answer and the request it answers (`admitThen`'s caller reads its own state from it). */
  readonly resolve: (admission: Admission, request: AdmissionRequest | undefined) => void;
  readonly request: AdmissionRequest | undefined;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The permission to run one admitted request: one object with the method
 * on its prototype, not a closure and its context per admission (the
 * controller's bookkeeping runs in its shared `release` hook).
 */
class Ticket implements AdmissionControllerTicket {
  readonly admitted = true as const;
  readonly queuedMs: number;
  readonly #startedAt: number;
  readonly #inflightAtStart: number;
  readonly #onRelease: ReleaseHook;
  #released = false;

  constructor(queuedMs: number, startedAt: number, inflightAtStart: number, onRelease: ReleaseHook) {
    this.queuedMs = queuedMs;
    this.#startedAt = startedAt;
    this.#inflightAtStart = inflightAtStart;
    this.#onRelease = onRelease;
  }

  /** Gives the slot back; a second call is harmless. */
  release(outcome: RequestOutcome): void {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(outcome, this.#startedAt, this.#inflightAtStart);
  }
}

type ReleaseHook = (outcome: RequestOutcome, startedAt: number, inflightAtStart: number) => void;

/**
 * The admission queue in front of a server's handlers, as an
 * {@link AdmissionGate}: at most `limit` requests run at once (adaptive by
 * default), the rest wait in one queue per priority. Waiting is bounded by
 * CoDel (short when a standing queue has formed), the newest request is
 * served first once a queue has formed (it is the one whose client is still
 * waiting), requests whose client has gone or whose deadline has passed are
 * dropped before they cost anything, and under pressure sheddable requests
 * go first and critical ones last. Every refusal is an
 * {@link AdmissionRejection} (`shed` with the finer cause in `detail`, or
 * `draining`) with a retry-after hint; nothing is thrown. Time comes from
 * `clock` and the starter runs through `defer`, so a simulation can run it
 * on virtual time.
 *
 * @example
 * const admission = new AdmissionController({ maxQueue: 500 });
 * const answer = await admission.admit({ priority: "normal" }, clientGone);
 * if (!answer.admitted) return reply503(answer.retryAfterMs, answer.detail);
 * try { await handle(request); } finally { answer.release({ kind: "success", status: 200, latencyMs: 12 }); }
 */
export class AdmissionController implements AdmissionGate {
  readonly #events = new Events<AdmissionEvents>();
  readonly #limit: ConcurrencyLimit;
  readonly #maxQueue: number;
  readonly #codel: CoDel;
  readonly #yieldAfterMs: number;
  readonly #defer: (run: () => void) => void;
  readonly #clock: Clock;
  readonly #queues = new Map<RequestPriority, RequestQueue<Entry>>(
    PRIORITIES.map((p) => [p, new RequestQueue<Entry>()]),
  );
  /** The same queues, highest priority first: walked on every start without an iterator. */
  readonly #ordered = PRIORITIES.map((p) => this.#queues.get(p) as RequestQueue<Entry>);
  #inflight = 0;
  /** Requests waiting, all priorities: kept as a count because every admit reads it. */
  #queued = 0;
  #scheduled = false;
  #draining = false;
  #pressure = false;
  #serviceMs = 0;
  #lastLimit = 0;

  constructor(options: AdmissionOptions = {}) {
    requireOption(
      typeof options === "object" && options !== null,
      "AdmissionController",
      "options",
      options,
      "an object",
    );
    requireKnownOptions("AdmissionController", options, ADMISSION_OPTION_KEYS);
    const limit = options.limit ?? new Gradient2Limit();
    this.#limit = typeof limit === "number" ? new FixedLimit(limit) : limit;
    this.#maxQueue = options.maxQueue ?? 1000;
    requireOption(
      Number.isInteger(this.#maxQueue) && this.#maxQueue >= 0,
      "AdmissionController",
      "maxQueue",
      this.#maxQueue,
      "an integer >= 0",
    );
    this.#yieldAfterMs = options.yieldAfterMs ?? 0;
    requireOption(this.#yieldAfterMs >= 0, "AdmissionController", "yieldAfterMs", this.#yieldAfterMs, ">= 0");
    this.#codel = new CoDel(options.codel);
    this.#defer = options.defer ?? ((run) => setImmediate(run));
    this.#clock = options.clock ?? systemClock;
    this.#lastLimit = this.#limit.limit;
  }

  /**
   * Subscribes to `admitted`, `rejected` or `limit` events.
   *
   * @example
   * admission.on("rejected", (e) => rejections.inc({ reason: e.reason, detail: e.detail ?? "" }));
   */
  on<K extends keyof AdmissionEvents>(type: K, listener: Listener<AdmissionEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** Requests running now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Requests waiting, all priorities. */
  get queued(): number {
    return this.#queued;
  }

  /** The current concurrency limit. */
  get limit(): number {
    return this.#limit.limit;
  }

  /** True while CoDel sees a standing queue. */
  get overloaded(): boolean {
    return this.#queued > 0 && this.#codel.overloaded(this.#clock.now());
  }

  /** What `/metrics` shows: running, waiting, and the limit. */
  snapshot(): GateSnapshot {
    return { inflight: this.#inflight, queueLength: this.#queued, limit: this.#limit.limit };
  }

  /**
   * Extra overload signals (event-loop delay, memory) say the process is
   * under pressure: sheddable requests are refused, and normal ones are
   * refused rather than queued.
   */
  setPressure(pressure: boolean): void {
    this.#pressure = pressure;
  }

  /** Refuses every new and queued request with `draining`; running ones finish. */
  close(): void {
    this.#draining = true;
    for (const queue of this.#queues.values()) {
      for (let entry = queue.takeOldest(); entry; entry = queue.takeOldest()) {
        this.#queued--;
        this.#refuse(entry, undefined);
      }
    }
  }

  /**
   * Admits a request after the starter's next turn (at once in virtual
   * time, a `setImmediate` in real time), or refuses it. A refusal decided
   * at arrival is returned at once, with no promise, queue entry, listener
   * or timer, so shedding under overload costs almost nothing: the client
   * has gone (`signal` aborted), the deadline has passed, the process is
   * under pressure, the queue is full of requests at least as important, or
   * the queue is overloaded and already holds more than can be served within
   * CoDel's target (a new arrival could only wait to be refused). Critical
   * requests are refused at arrival only when expired, gone or draining.
   * Otherwise the request queues and the promise settles when it is
   * admitted or refused (CoDel, deadline, client gone, drain).
   */
  admit(request: AdmissionRequest = {}, signal?: AbortSignal): Admission | Promise<Admission> {
    const priority = request.priority ?? "normal";
    const deadlineAt = request.deadlineAt ?? Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const refused = this.#atArrival(priority, deadlineAt, signal, now);
    if (refused !== undefined) return refused;
    return new Promise<Admission>((resolve) => this.#enqueue(priority, deadlineAt, signal, now, resolve, undefined));
  }

  /**
   * {@link admit} with the answer given to `answer` instead of a promise:
   * at once for a refusal at arrival, else when the queued request is
   * admitted or refused, from inside the controller's turn (so `answer`
   * must not throw). `answer` also gets `request` back, so one function
   * made once can answer every request, each reading its own state from
   * its request object. Two promises and their reactions less per request,
   * and no closure, for a caller that runs many (the simulator's
   * instances); the decisions are the same as `admit`'s.
   *
   * @example
   * const answer = (admission: Admission, request: MyRequest) => (admission.admitted ? serve(request, admission) : reply503(request, admission));
   * admission.admitThen(myRequest, answer);
   */
  admitThen<R extends AdmissionRequest>(
    request: R,
    answer: (admission: Admission, request: R) => void,
    signal?: AbortSignal,
  ): void {
    const priority = request.priority ?? "normal";
    const deadlineAt = request.deadlineAt ?? Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const refused = this.#atArrival(priority, deadlineAt, signal, now);
    if (refused !== undefined) answer(refused, request);
    else this.#enqueue(priority, deadlineAt, signal, now, answer as Entry["resolve"], request);
  }

  /** The refusal decided at arrival, if any (see {@link admit}). */
  #atArrival(
    priority: RequestPriority,
    deadlineAt: number,
    signal: AbortSignal | undefined,
    now: number,
  ): AdmissionRejection | undefined {
    if (this.#draining) return this.#rejection(priority, undefined);
    const refused = this.#refusal(priority, deadlineAt, signal, now);
    if (refused !== undefined) return this.#rejection(priority, refused);
    // Every admission goes through the starter's next turn, even with a slot free: the requests that
    // arrived together are then seen, ordered and cut by CoDel here, rather than waiting in socket
    // buffers behind a handler that runs at once (granting at once let a CPU-bound server shed nothing).
    // Those that will take a free slot at that turn do not count against `maxQueue` (even 0).
    const free = Math.max(0, this.#limit.limit - this.#inflight);
    if (this.#queued >= this.#maxQueue + free && !this.#evictBelow(priority)) {
      return this.#rejection(priority, "queue-full");
    }
    return undefined;
  }

  /** Queues a request for the next turn; `resolve` gets its admission or refusal. */
  #enqueue(
    priority: RequestPriority,
    deadlineAt: number,
    signal: AbortSignal | undefined,
    now: number,
    resolve: Entry["resolve"],
    request: AdmissionRequest | undefined,
  ): void {
    const entry: Entry = {
      live: true,
      enqueuedAt: now,
      priority,
      deadlineAt,
      resolve,
      request,
      signal,
      onAbort: undefined,
    };
    if (signal) {
      entry.onAbort = () => {
        if (!entry.live) return;
        this.#queues.get(priority)?.remove(entry);
        this.#queued--;
        this.#refuse(entry, "gone", false);
      };
      signal.addEventListener("abort", entry.onAbort, { once: true });
    }
    const queue = this.#queues.get(priority) as RequestQueue<Entry>;
    if (this.#queued === 0) this.#codel.onEmpty(now);
    queue.push(entry);
    this.#queued++;
    this.#schedule();
  }

  /** Why a request is refused at arrival, if it is (draining is checked before). */
  #refusal(
    priority: RequestPriority,
    deadlineAt: number,
    signal: AbortSignal | undefined,
    now: number,
  ): ShedCause | undefined {
    if (signal?.aborted) return "gone";
    if (deadlineAt <= now) return "expired";
    if (priority === "critical" || (this.#inflight < this.#limit.limit && this.#queued === 0)) return undefined;
    if (this.#pressure) return "pressure";
    const overloaded = this.#queued > 0 && this.#codel.overloaded(now);
    if (!overloaded) return undefined;
    // A standing queue: sheddable work goes at once, and others when the queue already holds more than can
    // be served within the target. Before the first request ends, assume one takes the whole target.
    if (priority === "sheddable") return "overloaded";
    const serviceMs = this.#serviceMs > 0 ? this.#serviceMs : this.#codel.targetMs;
    const servable = Math.max(1, Math.floor((this.#codel.targetMs / serviceMs) * this.#limit.limit));
    return this.#queued >= servable ? "overloaded" : undefined;
  }

  #evictBelow(priority: RequestPriority): boolean {
    for (let i = PRIORITIES.length - 1; PRIORITIES[i] !== priority; i--) {
      const queue = this.#queues.get(PRIORITIES[i] as RequestPriority);
      // The oldest of a lower priority is the one least likely to still be useful.
      const victim = queue?.takeOldest();
      if (victim) {
        this.#queued--;
        this.#refuse(victim, "queue-full");
        return true;
      }
    }
    return false;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(this.#deferredStart);
  }

  /** Built once: a closure per scheduling would cost an allocation per admission. */
  readonly #deferredStart = (): void => {
    this.#scheduled = false;
    this.#start();
  };

  #start(): void {
    const began = this.#clock.now();
    this.#shedStale(began);
    while (this.#inflight < this.#limit.limit) {
      const entry = this.#next();
      if (!entry) {
        this.#codel.onEmpty(this.#clock.now());
        break;
      }
      const now = this.#clock.now();
      const waited = now - entry.enqueuedAt;
      if (entry.deadlineAt <= now) {
        this.#refuse(entry, "expired");
        continue;
      }
      if (this.#tooLong(entry, now, waited)) {
        this.#refuse(entry, "queue-timeout");
        continue;
      }
      this.#grant(entry, waited);
      if (this.#clock.now() - began >= this.#yieldAfterMs) break;
    }
    if (this.#queued === 0) this.#codel.onEmpty(this.#clock.now());
    else if (this.#inflight < this.#limit.limit) this.#schedule();
  }

  /** Critical requests may wait a whole interval even when the queue is overloaded. */
  #tooLong(entry: Entry, now: number, waited: number): boolean {
    return entry.priority === "critical" ? waited > this.#codel.intervalMs : this.#codel.shouldDrop(now, waited);
  }

  /**
   * Refuses, oldest first, the requests that have waited too long. With
   * newest-first service they would otherwise sit until their clients give
   * up; a fast 503 frees the client's connection for its next request.
   */
  #shedStale(now: number): void {
    let budget = 256;
    const ordered = this.#ordered;
    for (let i = 0; i < ordered.length; i++) {
      const queue = ordered[i] as RequestQueue<Entry>;
      if (queue.size === 0) continue;
      for (let oldest = queue.peekOldest(); oldest && budget > 0; oldest = queue.peekOldest(), budget--) {
        const waited = now - oldest.enqueuedAt;
        const expired = oldest.deadlineAt <= now;
        if (!expired && !this.#tooLong(oldest, now, waited)) break;
        queue.takeOldest();
        this.#queued--;
        this.#refuse(oldest, expired ? "expired" : "queue-timeout");
      }
    }
  }

  /** Highest priority first; within it, newest first once a queue has formed, else oldest first. */
  #next(): Entry | undefined {
    const ordered = this.#ordered;
    for (let i = 0; i < ordered.length; i++) {
      const queue = ordered[i] as RequestQueue<Entry>;
      if (queue.size === 0) continue;
      const oldest = queue.peekOldest();
      const now = this.#clock.now();
      const formed =
        this.#codel.overloaded(now) || (oldest !== undefined && now - oldest.enqueuedAt > this.#codel.targetMs);
      this.#queued--;
      return formed ? queue.takeNewest() : queue.takeOldest();
    }
    return undefined;
  }

  #grant(entry: Entry, queuedMs: number): void {
    this.#detach(entry);
    entry.resolve(this.#ticket(entry.priority, queuedMs), entry.request);
  }

  /** Takes a slot and returns the ticket that gives it back. */
  #ticket(priority: RequestPriority, queuedMs: number): AdmissionControllerTicket {
    this.#inflight++;
    if (this.#events.has("admitted")) this.#events.emit("admitted", { priority, queuedMs });
    return new Ticket(queuedMs, this.#clock.now(), this.#inflight, this.#release);
  }

  /** Built once and shared by every ticket: what giving a slot back does. */
  readonly #release: ReleaseHook = (outcome, startedAt, inflightAtStart) => {
    this.#inflight--;
    const rttMs = this.#clock.now() - startedAt;
    this.#serviceMs = this.#serviceMs === 0 ? rttMs : this.#serviceMs * 0.9 + rttMs * 0.1;
    // A timeout is the failure that signals overload: it shrinks adaptive limits.
    this.#limit.onSample({ rttMs, inflight: inflightAtStart, dropped: outcome.kind === "timed_out" });
    const limit = this.#limit.limit;
    if (limit !== this.#lastLimit) {
      this.#lastLimit = limit;
      this.#events.emit("limit", { limit });
    }
    if (this.#queued > 0) this.#schedule();
  };

  /** Settles a queued entry with a refusal (`undefined`: draining). */
  #refuse(entry: Entry, cause: ShedCause | undefined, detach = true): void {
    if (detach) this.#detach(entry);
    entry.resolve(this.#rejection(entry.priority, cause), entry.request);
  }

  #detach(entry: Entry): void {
    if (entry.onAbort) entry.signal?.removeEventListener("abort", entry.onAbort);
  }

  /** A `shed` refusal with its cause, or `draining` when there is none. */
  #rejection(priority: RequestPriority, cause: ShedCause | undefined): AdmissionRejection {
    const retryAfterMs = this.#retryAfterMs();
    const reason: RejectReason = cause === undefined ? "draining" : "shed";
    if (this.#events.has("rejected")) this.#events.emit("rejected", { priority, reason, detail: cause, retryAfterMs });
    return reject(reason, retryAfterMs, cause);
  }

  /** Seconds-granular wait hint: about how long the queue ahead takes to drain, at least 1 s. */
  #retryAfterMs(): number {
    const drainMs = ((this.#queued + this.#inflight) / Math.max(1, this.#limit.limit)) * this.#serviceMs;
    return Math.max(1000, Math.ceil(drainMs / 1000) * 1000);
  }
}
