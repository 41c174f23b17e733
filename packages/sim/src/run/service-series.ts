import type { CircuitBreaker, CircuitState } from "@nines/resilience";
import type { SimService } from "../model/sim-service.js";

/** One service's series, one point per step of the run (`series.stepMs`). */
export interface ServiceSeries {
  /** Executions its callers started in the step (one per request that needed it; the edge's requests for an entry). */
  calls: number[];
  /** Attempts that reached it, retries included. */
  attempts: number[];
  /** Attempts per execution (null when no call started): above 1, retries add load; below 1, breakers refuse calls. */
  retryAmplification: (number | null)[];
  /** Successful answers that reached a caller still waiting (before its deadline). */
  goodput: number[];
  /** Successful answers that came after the caller's deadline: work nobody waited for. */
  late: number[];
  /** 5xx answers: a failed required call (503) or an injected error (500). */
  errors: number[];
  /** Requests its guards refused (shed, draining). */
  shed: number[];
  /** Requests waiting at the end of the step, all instances: admission queues and worker queues. */
  queued: number[];
  /** Circuit breakers of its callers that are open at the end of the step. */
  breakersOpen: number[];
  /** Circuit breakers of its callers that are half-open (probing) at the end of the step. */
  breakersHalfOpen: number[];
  /** Instances serving at the end of the step (not starting, down or stopped). */
  instancesUp: number[];
  /** Instances at the end of the step, whatever their state (autoscaling changes it). */
  instances: number[];
}

/**
 * Samples one service at the end of every step. Breaker states come from
 * the breakers' own `stateChange` events, so sampling reads no breaker
 * state (a read could move an open breaker to half-open early).
 *
 * @example
 * const series = new ServiceRecorder(service);
 * series.watchBreaker(breaker, true);
 * series.closeStep();
 */
export class ServiceRecorder {
  readonly series: ServiceSeries = {
    calls: [],
    attempts: [],
    retryAmplification: [],
    goodput: [],
    late: [],
    errors: [],
    shed: [],
    queued: [],
    breakersOpen: [],
    breakersHalfOpen: [],
    instancesUp: [],
    instances: [],
  };
  readonly #service: SimService;
  readonly #breakers = new Map<CircuitBreaker, { state: CircuitState; unsubscribe: () => void }>();
  #last = { calls: 0, attempts: 0, served: 0, late: 0, failed: 0, shed: 0 };
  #open = 0;
  #halfOpen = 0;

  constructor(service: SimService) {
    this.#service = service;
  }

  /** Counts (`true`) or stops counting (`false`, its instance was removed) a caller's breaker towards this service. */
  watchBreaker(breaker: CircuitBreaker, added: boolean): void {
    if (added) {
      const watched = { state: "closed" as CircuitState, unsubscribe: () => {} };
      watched.unsubscribe = breaker.on("stateChange", ({ from, to }) => {
        this.#count(from, -1);
        this.#count(to, 1);
        watched.state = to;
      });
      this.#breakers.set(breaker, watched);
      return;
    }
    const watched = this.#breakers.get(breaker);
    if (watched === undefined) return;
    watched.unsubscribe();
    this.#count(watched.state, -1);
    this.#breakers.delete(breaker);
  }

  closeStep(): void {
    const s = this.series;
    const { stats, tally } = this.#service;
    const last = this.#last;
    const calls = stats.calls - last.calls;
    const attempts = stats.attempts - last.attempts;
    const late = tally.late - last.late;
    s.calls.push(calls);
    s.attempts.push(attempts);
    s.retryAmplification.push(calls === 0 ? null : Math.round((attempts / calls) * 1000) / 1000);
    s.goodput.push(tally.served - last.served - late);
    s.late.push(late);
    s.errors.push(tally.failed - last.failed);
    s.shed.push(tally.shed - last.shed);
    this.#last = {
      calls: stats.calls,
      attempts: stats.attempts,
      served: tally.served,
      late: tally.late,
      failed: tally.failed,
      shed: tally.shed,
    };
    let queued = 0;
    let up = 0;
    for (const node of this.#service.nodes) {
      queued += node.instance.queued;
      if (node.instance.up) up++;
    }
    s.queued.push(queued);
    s.breakersOpen.push(this.#open);
    s.breakersHalfOpen.push(this.#halfOpen);
    s.instancesUp.push(up);
    s.instances.push(this.#service.nodes.length);
  }

  #count(state: CircuitState, delta: number): void {
    if (state === "open") this.#open += delta;
    else if (state === "halfOpen") this.#halfOpen += delta;
  }
}
