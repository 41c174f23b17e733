import type { Clock } from "@nines/core";
import { type Bulkhead, bulkhead } from "@nines/resilience";

/**
 * How an instance turns its capacity into work: `slots` workers, each
 * busy for `serviceTimeMs` per request, so that it serves at most
 * `slots * 1000 / serviceTimeMs` = the capacity, requests per second.
 *
 * @example
 * capacityPlan(40); // { capacity: 40, slots: 2, serviceTimeMs: 50 }
 */
export interface CapacityPlan {
  capacity: number;
  slots: number;
  serviceTimeMs: number;
}

/** The service time aimed at: short enough that queueing stays well under the 500 ms objective. */
export const TARGET_SERVICE_MS = 50;
/** At least one worker: below 10 rps the service time grows past 100 ms instead. */
export const MIN_SLOTS = 1;

/**
 * The capacity rule: `slots = max(MIN_SLOTS, round(capacity * TARGET_SERVICE_MS / 1000))`,
 * then `serviceTimeMs = 1000 * slots / capacity`, so that slots / service
 * time is exactly the capacity. At 40 rps: 2 slots of 50 ms; at 500 rps:
 * 25 slots of 50 ms; at 20 rps: 1 slot of 50 ms; at 10 rps: 1 slot of 100 ms.
 *
 * @example
 * const { slots, serviceTimeMs } = capacityPlan(Number(process.env.NINES_CAPACITY));
 */
export function capacityPlan(capacity: number): CapacityPlan {
  const slots = Math.max(MIN_SLOTS, Math.round((capacity * TARGET_SERVICE_MS) / 1000));
  return { capacity, slots, serviceTimeMs: (1000 * slots) / capacity };
}

/**
 * The instance's workers: `serve()` waits for a free slot (in arrival
 * order) and holds it for the service time, the stand-in for the CPU work
 * of a request, done with timers so that overload queues and sheds as in
 * production without needing the CPU. The request's own I/O (database,
 * dependencies) happens after, outside the slot, as in any Node server.
 *
 * A timer that fires late (a busy machine) would make the instance slower
 * than its capacity, so each slot keeps its timeline: the next request in
 * that slot sleeps for the service time minus the lateness carried over
 * (never less than 0), and a slot serves `1000 / serviceTimeMs` requests
 * per second on average however late its timers are.
 *
 * @example
 * const workers = new WorkerSlots(capacityPlan(40), { clock });
 * await workers.serve(request.signal); // 50 ms in one of 2 slots
 */
export class WorkerSlots {
  readonly plan: CapacityPlan;
  readonly #clock: Clock;
  readonly #bulkhead: Bulkhead;
  /** Per free slot: the lateness (ms) it still owes, paid back by a shorter next sleep. */
  readonly #owed: number[];

  constructor(plan: CapacityPlan, options: { clock: Clock }) {
    this.plan = plan;
    this.#clock = options.clock;
    // The admission gate in front bounds what waits here; this queue only absorbs its excess.
    this.#bulkhead = bulkhead({ maxConcurrent: plan.slots, maxQueue: 100_000 });
    this.#owed = Array.from({ length: plan.slots }, () => 0);
  }

  /** Requests holding a slot now. */
  get busy(): number {
    return this.#bulkhead.active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#bulkhead.queued;
  }

  /** Holds one slot for the service time (after waiting for one); `signal` gives up the wait. */
  async serve(signal?: AbortSignal): Promise<void> {
    await this.#bulkhead.execute(() => this.#work(), signal);
  }

  async #work(): Promise<void> {
    // The bulkhead admits at most `slots` at once, so a free slot's record is always there.
    const owed = this.#owed.pop() as number;
    const serviceTimeMs = this.plan.serviceTimeMs;
    const started = this.#clock.now();
    const sleepMs = Math.max(0, serviceTimeMs - owed);
    try {
      await this.#clock.sleep(sleepMs);
    } finally {
      const late = this.#clock.now() - started - sleepMs;
      this.#owed.push(Math.min(serviceTimeMs, Math.max(0, owed - (serviceTimeMs - sleepMs) + late)));
    }
  }
}
