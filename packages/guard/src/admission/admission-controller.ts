import { type Clock, Events, NinesError, requireOption, systemClock } from "@nines/core";
import { CoDel, type CoDelOptions } from "./codel.js";
import { type ConcurrencyLimit, FixedLimit, Gradient2Limit } from "./concurrency-limit.js";
import { type Queued, RequestQueue } from "./request-queue.js";

/** Request priorities, most important first: critical requests are shed last. */
export type Priority = "critical" | "normal" | "sheddable";
const PRIORITIES: readonly Priority[] = ["critical", "normal", "sheddable"];

/** Why a request was refused. */
export type RejectReason = "shed" | "queue-timeout" | "expired" | "gone" | "draining";

/** Error code of every admission refusal; `details` has `reason`, `priority` and `retryAfterMs`. */
export const ADMISSION_REJECTED = "NINES_GUARD_REJECTED";

export interface AdmissionRequest {
  /** Default "normal". */
  priority?: Priority;
  /** Absolute time (on the controller's clock) after which serving is pointless: dropped before it costs anything. */
  deadline?: number;
  /** Aborts when the client goes away: the request leaves the queue at once. */
  signal?: AbortSignal;
}

/** Permission to run one request; release it exactly once when the response is done. */
export interface Ticket {
  /** Milliseconds the request waited in the queue. */
  readonly queuedMs: number;
  /** `dropped` marks a failure that signals overload (a timeout), which shrinks adaptive limits. */
  release(outcome?: { dropped?: boolean }): void;
}

export interface AdmissionEvents {
  admitted: { priority: Priority; queuedMs: number };
  rejected: { priority: Priority; reason: RejectReason; retryAfterMs: number };
  limit: { limit: number };
}

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
  /** How the starter is deferred to the next turn. Default `setImmediate`; tests may pass their own. */
  defer?: (run: () => void) => void;
  clock?: Clock;
}

interface Entry extends Queued {
  readonly priority: Priority;
  readonly deadline: number;
  readonly resolve: (ticket: Ticket) => void;
  readonly reject: (error: NinesError) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The admission queue in front of a server's handlers: at most `limit`
 * requests run at once (adaptive by default), the rest wait in one queue
 * per priority. Waiting is bounded by CoDel (short when a standing queue
 * has formed), the newest request is served first once a queue has formed
 * (it is the one whose client is still waiting), requests whose client has
 * gone or whose deadline has passed are dropped before they cost anything,
 * and under pressure sheddable requests go first and critical ones last.
 * Every refusal is a {@link ADMISSION_REJECTED} error with a retry-after hint.
 *
 * @example
 * const admission = new AdmissionController({ maxQueue: 500 });
 * const ticket = await admission.admit({ priority: "normal", signal: clientGone });
 * try { await handle(request); } finally { ticket.release(); }
 */
export class AdmissionController {
  readonly events = new Events<AdmissionEvents>();
  readonly #limit: ConcurrencyLimit;
  readonly #maxQueue: number;
  readonly #codel: CoDel;
  readonly #yieldAfterMs: number;
  readonly #defer: (run: () => void) => void;
  readonly #clock: Clock;
  readonly #queues = new Map<Priority, RequestQueue<Entry>>(PRIORITIES.map((p) => [p, new RequestQueue<Entry>()]));
  #inflight = 0;
  #scheduled = false;
  #draining = false;
  #pressure = false;
  #serviceMs = 0;
  #lastLimit = 0;

  constructor(options: AdmissionOptions = {}) {
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

  /** Requests running now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Requests waiting, all priorities. */
  get queued(): number {
    let total = 0;
    for (const queue of this.#queues.values()) total += queue.size;
    return total;
  }

  /** The current concurrency limit. */
  get limit(): number {
    return this.#limit.limit;
  }

  /** True while CoDel sees a standing queue. */
  get overloaded(): boolean {
    return this.queued > 0 && this.#codel.overloaded(this.#clock.now());
  }

  /**
   * Extra overload signals (event-loop delay, memory) say the process is
   * under pressure: sheddable requests are refused, and normal ones are
   * refused rather than queued.
   */
  setPressure(pressure: boolean): void {
    this.#pressure = pressure;
  }

  /** Refuses every new and queued request (reason "draining"); running ones finish. */
  drain(): void {
    this.#draining = true;
    for (const queue of this.#queues.values()) {
      for (let entry = queue.takeOldest(); entry; entry = queue.takeOldest()) this.#refuse(entry, "draining");
    }
  }

  /**
   * The refusal a new request would get at once, without queueing, or
   * undefined when it should queue: its deadline has already passed, or the
   * queue is overloaded and already holds more than can be served within
   * CoDel's target, so a new arrival would only wait to be refused.
   * Refusing now, with no promise, queue entry, listener or error object,
   * keeps the cost of shedding low enough that the server's time goes to
   * requests it can serve. Critical requests are refused here only when
   * expired. The `rejected` event is emitted as for any refusal.
   */
  refuseNow(request: AdmissionRequest = {}): { reason: RejectReason; retryAfterMs: number } | undefined {
    const priority = request.priority ?? "normal";
    const reason = this.#refusal(request, priority, this.#clock.now(), true);
    if (reason === undefined) return undefined;
    const retryAfterMs = this.#retryAfterMs();
    this.events.emit("rejected", { priority, reason, retryAfterMs });
    return { reason, retryAfterMs };
  }

  /**
   * Why a new request is refused before it queues, if it is: the rule behind `refuseNow` and `admit`.
   * `cutStandingQueue` (refuseNow only) also refuses what an overloaded queue could not serve within
   * its target; `admit` queues those and lets CoDel refuse them when reached.
   */
  #refusal(
    request: AdmissionRequest,
    priority: Priority,
    now: number,
    cutStandingQueue: boolean,
  ): RejectReason | undefined {
    if (this.#draining) return "draining";
    if (request.signal?.aborted) return "gone";
    if (request.deadline !== undefined && request.deadline <= now) return "expired";
    if (priority === "critical" || (this.#inflight < this.#limit.limit && this.queued === 0)) return undefined;
    // Under pressure, or with a standing queue for sheddable work, refusing now is cheaper than queueing.
    const overloaded = this.queued > 0 && this.#codel.overloaded(now);
    if (this.#pressure || (priority === "sheddable" && overloaded)) return "shed";
    if (!overloaded || !cutStandingQueue) return undefined;
    // The queue already holds more than can be served within the target. Before the first request ends,
    // assume one takes the whole target.
    const serviceMs = this.#serviceMs > 0 ? this.#serviceMs : this.#codel.targetMs;
    const servable = Math.max(1, Math.floor((this.#codel.targetMs / serviceMs) * this.#limit.limit));
    return this.queued >= servable ? "shed" : undefined;
  }

  /** Waits for a slot. Rejects with {@link ADMISSION_REJECTED} when refused. */
  admit(request: AdmissionRequest = {}): Promise<Ticket> {
    const priority = request.priority ?? "normal";
    const now = this.#clock.now();
    const refused = this.#refusal(request, priority, now, false);
    if (refused !== undefined) return Promise.reject(this.#error(priority, refused));
    if (this.queued >= this.#maxQueue && !this.#evictBelow(priority)) {
      return Promise.reject(this.#error(priority, "shed"));
    }
    return new Promise<Ticket>((resolve, reject) => {
      const entry: Entry = {
        live: true,
        enqueuedAt: now,
        priority,
        deadline: request.deadline ?? Number.POSITIVE_INFINITY,
        resolve,
        reject,
        signal: request.signal,
        onAbort: undefined,
      };
      if (request.signal) {
        entry.onAbort = () => {
          if (!entry.live) return;
          this.#queues.get(priority)?.remove(entry);
          this.#refuse(entry, "gone", false);
        };
        request.signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      const queue = this.#queues.get(priority) as RequestQueue<Entry>;
      if (this.queued === 0) this.#codel.onEmpty(now);
      queue.push(entry);
      this.#schedule();
    });
  }

  #evictBelow(priority: Priority): boolean {
    for (let i = PRIORITIES.length - 1; PRIORITIES[i] !== priority; i--) {
      const queue = this.#queues.get(PRIORITIES[i] as Priority);
      // The oldest of a lower priority is the one least likely to still be useful.
      const victim = queue?.takeOldest();
      if (victim) {
        this.#refuse(victim, "shed");
        return true;
      }
    }
    return false;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

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
      if (entry.deadline <= now) {
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
    if (this.queued === 0) this.#codel.onEmpty(this.#clock.now());
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
    for (const queue of this.#queues.values()) {
      for (let oldest = queue.peekOldest(); oldest && budget > 0; oldest = queue.peekOldest(), budget--) {
        const waited = now - oldest.enqueuedAt;
        const expired = oldest.deadline <= now;
        if (!expired && !this.#tooLong(oldest, now, waited)) break;
        queue.takeOldest();
        this.#refuse(oldest, expired ? "expired" : "queue-timeout");
      }
    }
  }

  /** Highest priority first; within it, newest first once a queue has formed, else oldest first. */
  #next(): Entry | undefined {
    for (const priority of PRIORITIES) {
      const queue = this.#queues.get(priority) as RequestQueue<Entry>;
      if (queue.size === 0) continue;
      const oldest = queue.peekOldest();
      const now = this.#clock.now();
      const formed =
        this.#codel.overloaded(now) || (oldest !== undefined && now - oldest.enqueuedAt > this.#codel.targetMs);
      return formed ? queue.takeNewest() : queue.takeOldest();
    }
    return undefined;
  }

  #grant(entry: Entry, queuedMs: number): void {
    this.#detach(entry);
    this.#inflight++;
    const inflightAtStart = this.#inflight;
    const startedAt = this.#clock.now();
    let released = false;
    this.events.emit("admitted", { priority: entry.priority, queuedMs });
    entry.resolve({
      queuedMs,
      release: (outcome) => {
        if (released) return;
        released = true;
        this.#inflight--;
        const rttMs = this.#clock.now() - startedAt;
        this.#serviceMs = this.#serviceMs === 0 ? rttMs : this.#serviceMs * 0.9 + rttMs * 0.1;
        this.#limit.onSample({ rttMs, inflight: inflightAtStart, dropped: outcome?.dropped === true });
        const limit = this.#limit.limit;
        if (limit !== this.#lastLimit) {
          this.#lastLimit = limit;
          this.events.emit("limit", { limit });
        }
        if (this.queued > 0) this.#schedule();
      },
    });
  }

  #refuse(entry: Entry, reason: RejectReason, detach = true): void {
    if (detach) this.#detach(entry);
    entry.reject(this.#error(entry.priority, reason));
  }

  #detach(entry: Entry): void {
    if (entry.onAbort) entry.signal?.removeEventListener("abort", entry.onAbort);
  }

  /** Seconds-granular wait hint: about how long the queue ahead takes to drain, at least 1 s. */
  #retryAfterMs(): number {
    const drainMs = ((this.queued + this.#inflight) / Math.max(1, this.#limit.limit)) * this.#serviceMs;
    return Math.max(1000, Math.ceil(drainMs / 1000) * 1000);
  }

  #error(priority: Priority, reason: RejectReason): NinesError {
    const retryAfterMs = this.#retryAfterMs();
    this.events.emit("rejected", { priority, reason, retryAfterMs });
    return new NinesError(ADMISSION_REJECTED, REJECT_MESSAGES[reason], {
      hint: `retry after ${retryAfterMs / 1000} s, with jitter`,
      details: { reason, priority, retryAfterMs },
    });
  }
}

/** What each refusal reason means, for people. */
export const REJECT_MESSAGES: Record<RejectReason, string> = {
  shed: "the server is overloaded and shed this request",
  "queue-timeout": "the request waited too long in the server's queue",
  expired: "the request's deadline passed before it could be served",
  gone: "the client went away before the request was served",
  draining: "the server is shutting down",
};
