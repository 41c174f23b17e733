import { type Random, requireKnownOptions, requireOption } from "@nines/core";
import type { SimClock } from "../engine/sim-clock.js";
import type { Distribution } from "../random/distributions.js";
import { Fifo } from "./fifo.js";

/** Options of {@link Server}. */
export interface ServerOptions {
  /** The simulation's clock. */
  clock: SimClock;
  /** Where service times are drawn from (a `SeededRandom` for a replayable run). */
  random: Random;
  /** Jobs served at once (worker slots, >= 1). */
  workers: number;
  /** Service time of one job, in ms. */
  service: Distribution;
  /**
   * Every `done` callback runs to completion on its own (settles no
   * promise): completions are scheduled with `SimClock.scheduleSync`, the
   * engine's fast path. Default false; `serve()` needs it false.
   */
  syncDone?: boolean;
}

/** What a {@link Server} has seen since it was made or its statistics were last reset. */
export interface ServerStats {
  /** Jobs submitted. */
  arrived: number;
  /** Jobs whose service ended. */
  served: number;
  /** Jobs that started service. */
  started: number;
  /** Mean time from submission to the start of service over the jobs that started, in ms. */
  meanWaitMs: number;
  /** Busy worker-time over available worker-time. */
  utilization: number;
  /** Jobs waiting now. */
  queued: number;
  /** Workers busy now. */
  busy: number;
}

/**
 * Called when a job's service ends, with the time it waited for a worker
 * (ms) and the job given to `submit` (so one function made once can end
 * every job, each carrying its own state).
 */
export type JobDone<J = undefined> = (waitedMs: number, job: J) => void;

/** A job in service or waiting: its callback, its state and, once started, how long it waited. */
class Job {
  readonly done: JobDone<unknown>;
  readonly job: unknown;
  waitedMs = 0;

  constructor(done: JobDone<unknown>, job: unknown) {
    this.done = done;
    this.job = job;
  }
}

const KNOWN_OPTIONS = ["clock", "random", "workers", "service", "syncDone"];

/**
 * A server as a queue: `workers` slots, each serving one job at a time for
 * a time drawn from `service`, and one FIFO queue in front of them. This is
 * how the simulator models an instance: capacity `workers / mean service`
 * jobs per ms. Callbacks, not promises, on the hot path: `submit` costs one
 * event and one small object per job (a callback made once gets the job
 * back, so no closure per job is needed).
 *
 * @example
 * const server = new Server({ clock, random: new SeededRandom(1), workers: 10, service: exponential(1) });
 * server.submit((waitedMs) => waits.push(waitedMs));
 * await clock.runAll();
 * server.stats().utilization;
 */
export class Server {
  readonly workers: number;
  readonly service: Distribution;
  readonly #clock: SimClock;
  readonly #random: Random;
  readonly #syncDone: boolean;
  readonly #queue = new Fifo<Job>();
  /**
   * Service times are multiplied by this (1: as drawn). A scenario's latency
   * spike raises it; jobs already in service keep the time they drew.
   */
  slowdown = 1;
  #busy = 0;
  /** Busy worker-ms since the server was made, never reset (what a CPU metric reads). */
  #busyTotal = 0;
  #arrived = 0;
  #started = 0;
  #served = 0;
  #waitedMs = 0;
  /** Busy worker-ms since `#since`, accounted up to `#lastChange`. */
  #busyArea = 0;
  #lastChange: number;
  #since: number;

  constructor(options: ServerOptions) {
    requireOption(typeof options === "object" && options !== null, "Server", "options", options, "an object");
    requireKnownOptions("Server", options, KNOWN_OPTIONS);
    requireOption(
      Number.isInteger(options.workers) && options.workers >= 1,
      "Server",
      "workers",
      options.workers,
      "an integer >= 1",
    );
    requireOption(
      typeof options.service?.sample === "function",
      "Server",
      "service",
      options.service,
      "a Distribution (exponential(mean), ...)",
    );
    this.workers = options.workers;
    this.service = options.service;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#syncDone = options.syncDone ?? false;
    this.#lastChange = this.#since = this.#clock.now();
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Workers serving now. */
  get busy(): number {
    return this.#busy;
  }

  /**
   * Busy worker-milliseconds since the server was made: the difference of
   * two readings over the elapsed time and the workers is the utilization
   * in between, what an autoscaler on CPU reads.
   */
  busyWorkerMs(): number {
    this.#account();
    return this.#busyTotal;
  }

  /** Queues one job; `done` is called with `job` when its service ends. */
  submit<J>(done: JobDone<J>, job?: J): void {
    this.#arrived++;
    const queued = new Job(done as JobDone<unknown>, job);
    if (this.#busy < this.workers) {
      this.#account();
      this.#busy++;
      this.#start(queued);
    } else {
      this.#queue.push(queued, this.#clock.now());
    }
  }

  /**
   * {@link submit} as a promise that resolves with the wait, for async
   * handlers (one promise per job: `submit` is cheaper).
   */
  serve(): Promise<number> {
    requireOption(!this.#syncDone, "Server.serve", "syncDone", this.#syncDone, "false (serve() settles a promise)");
    return new Promise<number>((resolve) => this.submit(resolve));
  }

  stats(): ServerStats {
    this.#account();
    const elapsed = this.#clock.now() - this.#since;
    return {
      arrived: this.#arrived,
      served: this.#served,
      started: this.#started,
      meanWaitMs: this.#started === 0 ? 0 : this.#waitedMs / this.#started,
      utilization: elapsed > 0 ? this.#busyArea / (elapsed * this.workers) : 0,
      queued: this.#queue.size,
      busy: this.#busy,
    };
  }

  /** Starts the statistics afresh from now (to leave out a warm-up). */
  resetStats(): void {
    this.#account();
    this.#arrived = this.#started = this.#served = 0;
    this.#waitedMs = this.#busyArea = 0;
    this.#lastChange = this.#since = this.#clock.now();
  }

  #start(job: Job): void {
    this.#started++;
    this.#waitedMs += job.waitedMs;
    const serviceMs = this.service.sample(this.#random) * this.slowdown;
    this.#clock.scheduleWith(serviceMs, this.#finish, job, this.#syncDone);
  }

  /** Made once: the event of every job's end carries the job. */
  readonly #finish = (job: Job): void => {
    this.#served++;
    const queue = this.#queue;
    if (queue.size > 0) {
      // The worker goes straight to the next job: the busy count does not change.
      const waited = this.#clock.now() - queue.oldestAt;
      const next = queue.shift() as Job;
      next.waitedMs = waited;
      this.#start(next);
    } else {
      this.#account();
      this.#busy--;
    }
    job.done(job.waitedMs, job.job);
  };

  #account(): void {
    const now = this.#clock.now();
    const area = this.#busy * (now - this.#lastChange);
    this.#busyArea += area;
    this.#busyTotal += area;
    this.#lastChange = now;
  }
}
