import type { Spec } from "@nines/planner";
import { SimService, type SimSystemOptions, type Target, type TargetStats } from "./sim-service.js";
import { SimStore } from "./sim-store.js";
import { StoreTarget } from "./store-target.js";

/**
 * The whole simulated system of a spec: its services and stores, wired.
 *
 * @example
 * const system = SimSystem.build(spec, { clock, random, workers: 8, serviceTime: exponential,
 *   storeLatency: exponential(2), admission: {}, health: {}, callDeadlineMs: 2000, storm: new Set() });
 * await system.services.get("web")?.call(null, Number.POSITIVE_INFINITY);
 */
export class SimSystem {
  readonly services = new Map<string, SimService>();
  readonly stores = new Map<string, SimStore>();
  readonly #targets = new Map<string, Target>();

  private constructor() {}

  static build(spec: Spec, options: SimSystemOptions): SimSystem {
    const system = new SimSystem();
    for (const service of spec.services) {
      const simulated = new SimService(service, options);
      system.services.set(service.name, simulated);
      system.#targets.set(service.name, simulated);
    }
    for (const store of spec.stores) {
      const simulated = new SimStore(store.name, options.clock, options.random, options.storeLatency);
      system.stores.set(store.name, simulated);
      system.#targets.set(store.name, new StoreTarget(simulated));
    }
    const wiring = { targets: system.#targets, stores: system.stores, probabilities: callProbabilities(spec) };
    for (const service of system.services.values()) service.connect(wiring);
    return system;
  }

  /** Calls and attempts into each service and store so far, by name. */
  statsOf(name: string): TargetStats | undefined {
    return this.#targets.get(name)?.stats;
  }

  /** A service's or a store's injected faults, by name. */
  faultOf(name: string): { slowdown: number; errorRate: number } | undefined {
    return this.services.get(name)?.fault ?? this.stores.get(name)?.fault;
  }
}

/** `caller->callee` to the share of the caller's requests that call the callee (stores: 1). */
function callProbabilities(spec: Spec): Map<string, number> {
  const loads = new Map(spec.services.map((s) => [s.name, s.load]));
  const callerLoad = new Map<string, number>();
  for (const service of spec.services) {
    for (const call of service.calls) {
      if (call.targetKind !== "service") continue;
      callerLoad.set(call.target, (callerLoad.get(call.target) ?? 0) + service.load);
    }
  }
  const probabilities = new Map<string, number>();
  for (const service of spec.services) {
    for (const call of service.calls) {
      if (call.targetKind !== "service") continue;
      const total = callerLoad.get(call.target) ?? 0;
      const share = total > 0 ? (loads.get(call.target) ?? 0) / total : 1;
      probabilities.set(`${service.name}->${call.target}`, Math.min(1, share));
    }
  }
  return probabilities;
}
