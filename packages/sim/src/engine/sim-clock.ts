import { type Clock, requireKnownOptions, requireOption, type Timer } from "@nines/core";
import { SIM_ERRORS, SimError } from "../errors.js";
import { EventQueue } from "./event-queue.js";

/** Options of {@link SimClock}. */
export interface SimClockOptions {
  /** The virtual time the clock starts at, in ms since the epoch (default 0). */
  startAt?: number;
  /**
   * Events fired between two turns of Node's event loop (default 65536). A
   * run never needs the event loop; yielding now and then only lets I/O,
   * signals and progress reports through. It does not change the results.
   */
  yieldEvery?: number;
  /** Events that may fire at one instant before the run stops as a runaway loop (default 1,000,000). */
  maxEventsPerInstant?: number;
}

const KNOWN_OPTIONS = ["startAt", "yieldEvery", "maxEventsPerInstant"];
const RESOLVED = Promise.resolve();

/**
 * The simulator's virtual clock: a {@link Clock} backed by an event queue
 * (a binary heap ordered by time, then by scheduling order), fast enough
 * to run the real resilience policies and admission controller over hours
 * of simulated traffic. Time stands still until a run moves it; a run fires
 * the due events one at a time and, after each, lets every promise
 * continuation that event released run to completion before the next event
 * fires, so async code sees time exactly as on the real clock (and as on
 * `ManualClock`, whose results it reproduces).
 *
 * How the continuations are drained without a turn of the event loop per
 * event: after firing an event, the run queues a promise reaction that
 * calls `process.nextTick(next)`. Node runs ticks only once V8's microtask
 * queue is empty (including the microtasks queued while it drains), so
 * `next` runs when every continuation of the event, however deep its chain,
 * has run: about 150 ns per event instead of a microsecond for
 * `setImmediate`. The whole run is one deterministic sequence of callbacks:
 * the same schedule gives the same order, every time.
 *
 * @example
 * const clock = new SimClock();
 * const woke: number[] = [];
 * clock.sleep(1000).then(() => woke.push(clock.now()));
 * await clock.advance(999); // woke is []
 * await clock.advance(1);   // woke is [1000]
 */
export class SimClock implements Clock {
  #now: number;
  #fired = 0;
  #running = false;
  readonly #queue = new EventQueue();
  readonly #yieldEvery: number;
  readonly #maxPerInstant: number;

  constructor(options: SimClockOptions = {}) {
    requireKnownOptions("SimClock", options, KNOWN_OPTIONS);
    const startAt = options.startAt ?? 0;
    requireOption(Number.isFinite(startAt), "SimClock", "startAt", startAt, "a finite number of ms");
    this.#now = startAt;
    this.#yieldEvery = options.yieldEvery ?? 65_536;
    requireOption(
      Number.isInteger(this.#yieldEvery) && this.#yieldEvery >= 1,
      "SimClock",
      "yieldEvery",
      this.#yieldEvery,
      "an integer >= 1",
    );
    this.#maxPerInstant = options.maxEventsPerInstant ?? 1_000_000;
    requireOption(this.#maxPerInstant >= 1, "SimClock", "maxEventsPerInstant", this.#maxPerInstant, ">= 1");
  }

  now(): number {
    return this.#now;
  }

  /** Events waiting to fire (cancelled ones excluded). */
  get pending(): number {
    return this.#queue.size;
  }

  /** Events fired since the clock was made. */
  get fired(): number {
    return this.#fired;
  }

  schedule(ms: number, fn: () => void): Timer {
    // A NaN or negative delay fires now, as on the real clock.
    return this.#queue.add(ms > 0 ? this.#now + ms : this.#now, fn);
  }

  /**
   * {@link schedule} for a callback that runs to completion on its own: it
   * settles no promise, awaits nothing and queues no microtask (it may
   * schedule more events). The run then fires the next event at once,
   * without letting continuations drain (about 120 ns per event instead of
   * 290 for M/M/c). A callback that breaks the promise makes the
   * continuations it released run late, at a later event's time.
   *
   * @example
   * const arrive = () => { server.submitSync(done); clock.scheduleSync(gap.sample(random), arrive); };
   */
  scheduleSync(ms: number, fn: () => void): Timer {
    return this.#queue.add(ms > 0 ? this.#now + ms : this.#now, fn, true);
  }

  /**
   * {@link schedule} (or, with `sync`, {@link scheduleSync}) of `fn(arg)`:
   * one callback made once can serve every event of its kind, each
   * carrying its own state, where a closure per event would cost an
   * allocation and its context.
   *
   * @example
   * const finish = (job: Job) => job.done();
   * clock.scheduleWith(serviceMs, finish, job);
   */
  scheduleWith<A>(ms: number, fn: (arg: A) => void, arg: A, sync = false): Timer {
    return this.#queue.add(ms > 0 ? this.#now + ms : this.#now, fn, sync, arg);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal === undefined) return new Promise<void>((resolve) => this.schedule(ms, resolve));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        timer.cancel();
        reject(signal.reason);
      };
      const timer = this.schedule(ms, () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Moves virtual time forward by `ms`, firing every event due on the way. */
  advance(ms: number): Promise<void> {
    requireOption(ms >= 0, "SimClock.advance", "ms", ms, ">= 0");
    return this.advanceTo(this.#now + ms);
  }

  /** Moves virtual time to `time`, firing every event due on the way. */
  async advanceTo(time: number): Promise<void> {
    await this.#run(time, Number.POSITIVE_INFINITY);
    if (time > this.#now) this.#now = time;
  }

  /**
   * Fires events until none is left; rejects with `NINES_SIM_RUNAWAY` when
   * more than `limit` would fire (a process that reschedules itself
   * forever). Returns the number fired.
   */
  runAll(limit = 10_000_000): Promise<number> {
    return this.#run(Number.POSITIVE_INFINITY, limit);
  }

  /** Lets every pending promise continuation run, without moving time. */
  flush(): Promise<void> {
    return new Promise<void>((resolve) => {
      void RESOLVED.then(() => process.nextTick(resolve));
    });
  }

  #run(until: number, limit: number): Promise<number> {
    if (this.#running) {
      return Promise.reject(
        new SimError(SIM_ERRORS.running, "SimClock: a run was started while another run was going", {
          hint: "await the running advance()/advanceTo()/runAll() before starting the next",
        }),
      );
    }
    this.#running = true;
    const queue = this.#queue;
    const yieldEvery = this.#yieldEvery;
    const maxPerInstant = this.#maxPerInstant;
    let fired = 0;
    let sinceYield = 0;
    let atInstant = 0;
    return new Promise<number>((resolve, reject) => {
      const stop = (error: SimError | undefined): void => {
        this.#running = false;
        if (error === undefined) resolve(fired);
        else reject(error);
      };
      // Runs from a tick queued once the microtask queue was empty: nothing of the last event is left to run.
      // Fires events until one may have released promise continuations, then lets them drain.
      const step = (): void => {
        for (;;) {
          const event = queue.peek();
          if (event === undefined || event.at > until) {
            stop(undefined);
            return;
          }
          if (fired >= limit) {
            stop(runaway(`more than ${limit} events fired in one runAll()`, event.at));
            return;
          }
          queue.take();
          if (event.at > this.#now) {
            this.#now = event.at;
            atInstant = 0;
          } else if (++atInstant > maxPerInstant) {
            stop(runaway(`more than ${maxPerInstant} events fired at one instant`, event.at));
            return;
          }
          const fn = event.fn as (arg: unknown) => void;
          const arg = event.arg;
          // Fired: a later cancel() is a no-op, and the event holds nothing.
          event.fn = undefined;
          event.arg = undefined;
          fired++;
          this.#fired++;
          try {
            fn(arg);
          } catch (error) {
            stop(
              new SimError(SIM_ERRORS.eventFailed, `SimClock: an event scheduled for ${event.at} ms threw`, {
                hint: "a scheduled callback must not throw; catch the error where it is scheduled",
                cause: error,
                details: { at: event.at },
              }),
            );
            return;
          }
          if (++sinceYield >= yieldEvery) {
            sinceYield = 0;
            setImmediate(resume);
            return;
          }
          if (!event.sync) {
            void RESOLVED.then(drained);
            return;
          }
        }
      };
      // A promise reaction: it queues `step` as a tick, which Node runs only once the microtask queue is empty.
      const drained = (): void => {
        process.nextTick(step);
      };
      const resume = (): void => {
        void RESOLVED.then(drained);
      };
      void RESOLVED.then(drained);
    });
  }
}

function runaway(message: string, at: number): SimError {
  return new SimError(SIM_ERRORS.runaway, `SimClock: ${message}`, {
    hint: "a callback or promise loop reschedules itself without end; give it a delay or a stop condition",
    details: { at },
  });
}
