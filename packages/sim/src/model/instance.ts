import { type Random, requireKnownOptions, requireOption } from "@nines/core";
import {
  type Admission,
  AdmissionController,
  type AdmissionOptions,
  type AdmissionRejection,
  type AdmissionRequest,
  type AdmissionTicket,
  type RequestOutcome,
  type RequestPriority,
} from "@nines/guard";
import type { SimClock } from "../engine/sim-clock.js";
import { Server } from "../queueing/server.js";
import type { Distribution } from "../random/distributions.js";
import type { SimOutcome } from "./outlier-ejection.js";
import { networkFailure, overloadedError, statusError } from "./wire-errors.js";

/** Options of {@link SimInstance}. */
export interface SimInstanceOptions {
  /** The service it belongs to (named in the errors its clients see). */
  service: string;
  /** This instance's name, unique in the simulation. */
  name: string;
  clock: SimClock;
  random: Random;
  /** Requests served at once (worker slots). */
  workers: number;
  /** Service time of one request, in ms: capacity is `workers / mean` requests per ms. */
  serviceTime: Distribution;
  /**
   * Options of the real guard `AdmissionController` every request passes
   * first (adaptive concurrency limit, CoDel queue, priorities), or a
   * function giving fresh ones for each process (an adaptive limit is an
   * object that learns: one per process); the simulation supplies its
   * clock and its starter. `false`: no admission control, every request
   * waits in the server's queue. Default: the guard's defaults.
   */
  admission?:
    | Omit<AdmissionOptions, "clock" | "defer">
    | false
    | (() => Omit<AdmissionOptions, "clock" | "defer"> | false);
  /** What the service's faults do to every instance (shared; default none). */
  fault?: ServiceFault;
  /** Where the instance counts its answers (shared by a service's instances; default its own). */
  tally?: InstanceTally;
  /** Time from `start()` until it serves, in ms (default 0: it is up when made). */
  startupMs?: number;
}

/** A service's injected faults, read by each of its instances. */
export interface ServiceFault {
  /** Service times are multiplied by this (a latency spike); 1 for none. */
  slowdown: number;
  /** Share of requests answered with a 500 after their work (an error burst); 0 for none. */
  errorRate: number;
}

/** Answers counted over a run. */
export interface InstanceTally {
  /** Successful answers. */
  served: number;
  /** Of those, answers that came after the caller's deadline: work nobody waited for. */
  late: number;
  /** 5xx answers: a failed required call (503) or an injected error (500). */
  failed: number;
  /** Requests the guard refused (503 with `x-nines-rejected`). */
  shed: number;
}

/** What an instance is doing: starting (refuses connections), up, down (crashed or cut off), stopped (scaled in). */
export type InstanceState = "starting" | "up" | "down" | "stopped";

/** How a down instance answers: a crashed process refuses connections; a cut network leaves them hanging. */
export type DownMode = "refused" | "hang";

/** One run of the instance's process: its queue, its admission controller and what is inside. */
interface Process {
  readonly server: Server;
  readonly admission: AdmissionController | undefined;
  inflight: number;
  alive: boolean;
  hang: boolean;
}

const KNOWN_OPTIONS = [
  "service",
  "name",
  "clock",
  "random",
  "workers",
  "serviceTime",
  "admission",
  "fault",
  "tally",
  "startupMs",
];
const RESOLVED = Promise.resolve();

/**
 * The guard's "next turn" in virtual time: at the same instant, once the
 * continuations already queued have run (the requests one event released
 * together are in its queue by then, as those read from the sockets in one
 * turn are in real time). A reaction on a settled promise, not an event of
 * its own: a hop then costs one event less (`queueMicrotask` would make an
 * async resource per call).
 */
function afterContinuations(run: () => void): void {
  void RESOLVED.then(run);
}

const noop = (): void => {};

/** Where a refused request goes instead (a balancer's next instance). */
export interface Elsewhere {
  /** Answers in place of `refusal`. */
  retry(refusal: unknown): Promise<void>;
}

/**
 * One request inside one process: what its admission, its service and its
 * end need, on one object that is also the guard's request (no closure per
 * request for the guard's answer or the server's callback).
 */
class Visit implements AdmissionRequest {
  readonly process: Process;
  readonly priority: RequestPriority;
  readonly deadlineAt: number;
  readonly downstream: (() => Promise<void>) | undefined;
  readonly elsewhere: Elsewhere | undefined;
  ticket: AdmissionTicket | undefined = undefined;
  resolve: () => void = noop;
  reject: (error: unknown) => void = noop;

  constructor(
    process: Process,
    priority: RequestPriority,
    deadlineAt: number,
    downstream: (() => Promise<void>) | undefined,
    elsewhere: Elsewhere | undefined,
  ) {
    this.process = process;
    this.priority = priority;
    this.deadlineAt = deadlineAt;
    this.downstream = downstream;
    this.elsewhere = elsewhere;
  }
}

const SERVED: RequestOutcome = { kind: "success", status: 200, latencyMs: 0 };
const FAILED: RequestOutcome = { kind: "server_error", status: 503, latencyMs: 0 };

/**
 * One simulated instance of a service: the real guard admission controller
 * in front of a {@link Server} (worker slots and a FIFO queue). `handle`
 * settles as the client's HTTP call would: it resolves when the response is
 * served, and rejects with the error `httpFetch` would throw: the guard's
 * refusal (`NINES_RESILIENCE_OVERLOADED`, `Retry-After` rounded up to whole
 * seconds as on the wire), a 503 when a required call failed (as ClickTravel answers), a 500 from an
 * injected error, a refused or reset connection when the instance is down.
 * An instance cut off by a lost zone leaves its callers hanging until their
 * own timeouts. A restart is a new process: a fresh queue and admission
 * controller, after `startupMs`.
 *
 * @example
 * const instance = new SimInstance({ service: "inventory", name: "inventory-a-0", clock, random,
 *   workers: 8, serviceTime: exponential(4), admission: { limit: 16, maxQueue: 100 } });
 * await pipeline.execute((context) => instance.handle(context.deadlineAt));
 */
export class SimInstance {
  readonly service: string;
  readonly name: string;
  readonly fault: ServiceFault;
  readonly tally: InstanceTally;
  /** Told how each request ended, as the balancer in front sees it (it ejects outliers from it). */
  onOutcome: ((outcome: SimOutcome) => void) | undefined;
  /** Requests that ended (any outcome), for an autoscaler on requests per second. */
  handled = 0;
  readonly #clock: SimClock;
  readonly #random: Random;
  readonly #workers: number;
  readonly #serviceTime: Distribution;
  readonly #admission: () => Omit<AdmissionOptions, "clock" | "defer"> | false;
  #state: InstanceState = "up";
  #process: Process;
  #busyBefore = 0;
  #startTimer: { cancel(): void } | undefined;

  constructor(options: SimInstanceOptions) {
    requireKnownOptions("SimInstance", options, KNOWN_OPTIONS);
    requireOption(
      typeof options.name === "string" && options.name !== "",
      "SimInstance",
      "name",
      options.name,
      "a name",
    );
    this.service = options.service;
    this.name = options.name;
    this.fault = options.fault ?? { slowdown: 1, errorRate: 0 };
    this.tally = options.tally ?? { served: 0, late: 0, failed: 0, shed: 0 };
    this.#clock = options.clock;
    this.#random = options.random;
    this.#workers = options.workers;
    this.#serviceTime = options.serviceTime;
    const admission = options.admission ?? {};
    this.#admission = typeof admission === "function" ? admission : () => admission;
    this.#process = this.#newProcess();
    if ((options.startupMs ?? 0) > 0) this.start(options.startupMs ?? 0);
  }

  /** The current process's queue. */
  get server(): Server {
    return this.#process.server;
  }

  /** The current process's real admission controller; undefined when the instance has none. */
  get admission(): AdmissionController | undefined {
    return this.#process.admission;
  }

  get state(): InstanceState {
    return this.#state;
  }

  /** True while it serves (what its readiness endpoint answers, before dependencies). */
  get up(): boolean {
    return this.#state === "up";
  }

  /** Requests inside the current process (admission queue, service, downstream calls). */
  get inflight(): number {
    return this.#process.inflight;
  }

  /** Requests waiting: in the admission queue and in the server's queue. */
  get queued(): number {
    const process = this.#process;
    return (process.admission?.queued ?? 0) + process.server.queued;
  }

  /** Busy worker-ms since the instance was made, over all its processes (its CPU time). */
  busyWorkerMs(): number {
    return this.#busyBefore + this.#process.server.busyWorkerMs();
  }

  /**
   * Takes the instance down: a crash (`refused`: new connections are
   * refused, requests inside fail with a reset when their work would have
   * ended) or a cut network (`hang`: nothing answers; callers wait for
   * their own timeouts).
   */
  fail(mode: DownMode = "refused"): void {
    this.#startTimer?.cancel();
    this.#startTimer = undefined;
    this.#state = "down";
    this.#process.alive = false;
    this.#process.hang = mode === "hang";
  }

  /**
   * Starts a new process: it refuses connections for `startupMs`, then
   * serves with a fresh queue and admission controller.
   */
  start(startupMs: number): void {
    this.#startTimer?.cancel();
    this.#process.alive = false;
    this.#busyBefore += this.#process.server.busyWorkerMs();
    this.#process = this.#newProcess();
    if (!(startupMs > 0)) {
      this.#startTimer = undefined;
      this.#state = "up";
      return;
    }
    this.#state = "starting";
    this.#startTimer = this.#clock.scheduleSync(startupMs, () => {
      this.#startTimer = undefined;
      this.#state = "up";
    });
  }

  /** Stops taking requests (scaled in); requests inside finish. */
  stop(): void {
    this.#startTimer?.cancel();
    this.#startTimer = undefined;
    this.#state = "stopped";
  }

  /**
   * The server side of one request: admission, then service, then `then`
   * (the downstream calls the handler makes, holding its admission slot but
   * no worker). Resolves when the response is sent; rejects with what the
   * client's HTTP call would throw. `deadlineAt` is the client's deadline
   * (the guard drops a request whose deadline passed while it waited, and
   * an answer after it is counted as late); Infinity when none.
   * `elsewhere`, when given, answers a refusal instead
   * (`elsewhere.retry(refusal)`, for a refused connection or the guard's
   * 503): a load balancer tries another instance with it.
   */
  handle(
    deadlineAt: number,
    priority: RequestPriority = "normal",
    then?: () => Promise<void>,
    elsewhere?: Elsewhere,
  ): Promise<void> {
    const process = this.#process;
    if (this.#state !== "up") {
      if (this.#state === "down" && process.hang) return new Promise<void>(noop);
      this.onOutcome?.("connect");
      const refused = networkFailure(this.service, "refused");
      return elsewhere === undefined ? Promise.reject(refused) : elsewhere.retry(refused);
    }
    process.inflight++;
    const visit = new Visit(process, priority, deadlineAt, then, elsewhere);
    // One promise for the whole answer; its settling functions are kept on the visit.
    const answered = new Promise<void>((resolve, reject) => {
      visit.resolve = resolve;
      visit.reject = reject;
    });
    const controller = process.admission;
    if (controller === undefined) this.#serve(visit);
    else controller.admitThen(visit, this.#answer);
    return answered;
  }

  #newProcess(): Process {
    const clock = this.#clock;
    const server = new Server({
      clock,
      random: this.#random,
      workers: this.#workers,
      service: this.#serviceTime,
    });
    server.slowdown = this.fault.slowdown;
    const options = this.#admission();
    const admission =
      options === false
        ? undefined
        : new AdmissionController({
            ...options,
            clock,
            defer: afterContinuations,
          });
    return { server, admission, inflight: 0, alive: true, hang: false };
  }

  /** The guard's answer to a visit (made once: every request's state is on its visit). */
  readonly #answer = (admission: Admission, visit: Visit): void => {
    if (admission.admitted) {
      visit.ticket = admission;
      this.#serve(visit);
    } else {
      this.#refused(visit, admission).then(visit.resolve, visit.reject);
    }
  };

  /** The guard refused: the client gets its 503, or the balancer tries `elsewhere`. */
  #refused(visit: Visit, admission: AdmissionRejection): Promise<void> {
    const process = visit.process;
    process.inflight--;
    this.handled++;
    if (!process.alive) return this.#lost(process);
    this.tally.shed++;
    this.onOutcome?.("refusal");
    // The guard's Retry-After header is in whole seconds; the client reads that.
    const retryAfterMs = Math.ceil(admission.retryAfterMs / 1000) * 1000;
    const refusal = overloadedError(this.service, admission.reason, retryAfterMs);
    return visit.elsewhere === undefined ? Promise.reject(refusal) : visit.elsewhere.retry(refusal);
  }

  #serve(visit: Visit): void {
    visit.process.server.submit(this.#served, visit);
  }

  /** The visit's work is done: its downstream calls next, if it makes any (made once, like `#answer`). */
  readonly #served = (_waitedMs: number, visit: Visit): void => {
    const downstream = visit.downstream;
    if (downstream === undefined) this.#end(visit, SERVED);
    else
      downstream().then(
        () => this.#end(visit, SERVED),
        () => this.#end(visit, FAILED),
      );
  };

  #end(visit: Visit, outcome: RequestOutcome): void {
    const process = visit.process;
    process.inflight--;
    this.handled++;
    visit.ticket?.release(outcome);
    if (!process.alive) {
      this.#lost(process).catch(visit.reject);
      return;
    }
    const fault = this.fault;
    const injected = fault.errorRate > 0 && outcome === SERVED && this.#random.next() < fault.errorRate;
    if (outcome === SERVED && !injected) {
      this.onOutcome?.("success");
      this.tally.served++;
      if (this.#clock.now() > visit.deadlineAt) this.tally.late++;
      visit.resolve();
      return;
    }
    this.tally.failed++;
    this.onOutcome?.("answer");
    visit.reject(statusError(this.service, injected ? 500 : 503));
  }

  /** A request inside a process that went down: a reset connection, or nothing at all on a cut network. */
  #lost(process: Process): Promise<void> {
    if (process.hang) return new Promise<void>(noop);
    this.onOutcome?.("reset");
    return Promise.reject(networkFailure(this.service, "reset"));
  }
}
