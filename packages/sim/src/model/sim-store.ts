import type { Random } from "@nines/core";
import { timeoutError } from "@nines/resilience";
import type { SimClock } from "../engine/sim-clock.js";
import type { Distribution } from "../random/distributions.js";
import type { ServiceFault } from "./instance.js";
import { networkFailure, statusError } from "./wire-errors.js";

/**
 * A store of the spec as its callers see it: a latency per call and
 * whether it answers. The spec gives stores no capacity, so a store never
 * queues; it refuses connections while it is down (its zone lost with the
 * primary, until a replica has failed over or a backup is restored), and
 * a scenario can slow it down or make it fail calls.
 *
 * @example
 * const store = new SimStore("orders-db", clock, random, exponential(2));
 * await store.call(); // resolves after about 2 ms of simulated time
 */
export class SimStore {
  readonly name: string;
  readonly fault: ServiceFault = { slowdown: 1, errorRate: 0 };
  readonly #clock: SimClock;
  readonly #random: Random;
  readonly #latency: Distribution;
  #up = true;

  constructor(name: string, clock: SimClock, random: Random, latency: Distribution) {
    this.name = name;
    this.#clock = clock;
    this.#random = random;
    this.#latency = latency;
  }

  get up(): boolean {
    return this.#up;
  }

  fail(): void {
    this.#up = false;
  }

  repair(): void {
    this.#up = true;
  }

  /**
   * One call: resolves after the store's latency, or rejects at once while
   * it is down. With a deadline, a call that would answer after it fails at
   * it instead, with the error a caller's `timeout({ timeoutMs })` gives
   * (the answer's time is known when the call is made, so no race is needed).
   */
  call(deadlineAt = Number.POSITIVE_INFINITY, timeoutMs = 0): Promise<void> {
    if (!this.#up) return Promise.reject(networkFailure(this.name, "refused"));
    const fault = this.fault;
    const latency = this.#latency.sample(this.#random) * fault.slowdown;
    const failed = fault.errorRate > 0 && this.#random.next() < fault.errorRate;
    const left = deadlineAt - this.#clock.now();
    if (latency > left) {
      const error = timeoutError({ timeoutMs: left, configuredMs: timeoutMs, mode: "aggressive", stack: false });
      return this.#clock.sleep(left).then(() => Promise.reject(error));
    }
    if (failed) return this.#clock.sleep(latency).then(() => Promise.reject(statusError(this.name, 500)));
    return this.#clock.sleep(latency);
  }
}
