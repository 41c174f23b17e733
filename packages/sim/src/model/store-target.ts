import type { Target, TargetStats } from "./sim-service.js";
import type { SimStore } from "./sim-store.js";

/**
 * A store as a call target: the caller's deadline goes with the call, and
 * the store gives up at it, as the caller's timeout would.
 *
 * @example
 * const target = new StoreTarget(new SimStore("orders-db", clock, random, exponential(2)));
 * await target.call(null, clock.now() + 2000);
 */
export class StoreTarget implements Target {
  readonly name: string;
  readonly store: SimStore;
  readonly stats: TargetStats = { calls: 0, attempts: 0 };

  constructor(store: SimStore) {
    this.name = store.name;
    this.store = store;
  }

  call(_zone: string | null, deadlineAt: number): Promise<void> {
    return this.store.call(deadlineAt);
  }
}
