import { PLANNER_ERRORS, PlannerError } from "../../errors.js";
import type { Component, EdgeComponent, Journey, Service, Spec, Store } from "../../model.js";

/**
 * Lookup tables over a validated spec: components by name, zones by index
 * and the region of each zone. Built once per analysis; every part of the
 * analysis reads names through it.
 *
 * @example
 * const topology = new Topology(spec);
 * topology.regionOfZone("us-central1-a"); // "us-central1"
 */
export class Topology {
  readonly spec: Spec;
  /** Every declared zone, in declaration order (regions in file order, then their zones). */
  readonly zones: string[] = [];
  /** Region index of each zone index. */
  readonly zoneRegion: number[] = [];
  readonly regions: string[] = [];
  readonly #zoneIndex = new Map<string, number>();
  readonly #components = new Map<string, Component>();

  constructor(spec: Spec) {
    this.spec = spec;
    spec.platform.regions.forEach((region, r) => {
      this.regions.push(region.name);
      for (const zone of region.zones) {
        this.#zoneIndex.set(zone, this.zones.length);
        this.zones.push(zone);
        this.zoneRegion.push(r);
      }
    });
    for (const c of [...spec.edge, ...spec.services, ...spec.stores]) this.#components.set(c.name, c);
  }

  /** Index of a declared zone; throws `NINES_PLANNER_UNKNOWN_NAME` otherwise. */
  zoneIndex(zone: string): number {
    const index = this.#zoneIndex.get(zone);
    if (index === undefined) throw unknown("zone", zone, this.zones);
    return index;
  }

  regionOfZone(zone: string): string {
    return this.regions[this.zoneRegion[this.zoneIndex(zone)]!]!;
  }

  component(name: string): Component {
    const c = this.#components.get(name);
    if (c === undefined) throw unknown("component", name, [...this.#components.keys()]);
    return c;
  }

  has(name: string): boolean {
    return this.#components.has(name);
  }

  service(name: string): Service | undefined {
    const c = this.#components.get(name);
    return c?.kind === "service" ? c : undefined;
  }

  store(name: string): Store | undefined {
    const c = this.#components.get(name);
    return c?.kind === "store" ? c : undefined;
  }

  edge(name: string): EdgeComponent | undefined {
    const c = this.#components.get(name);
    return c?.kind === "edge" ? c : undefined;
  }

  /** Total number of declared zones. */
  get zoneCount(): number {
    return this.zones.length;
  }

  /**
   * A journey's components: `via`, then a depth-first pre-order walk from
   * `entry` following required calls in file order, each name once
   * (iterative: a chain of thousands of services is fine).
   */
  journeyComponents(journey: Journey): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    if (journey.via !== null) {
      out.push(journey.via);
      seen.add(journey.via);
    }
    const stack = [journey.entry];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(name);
      const service = this.service(name);
      if (service === undefined) {
        this.component(name); // throws for an undeclared name
        continue;
      }
      const required = service.calls.filter((c) => !c.optional);
      for (let i = required.length - 1; i >= 0; i--) stack.push(required[i]!.target);
    }
    return out;
  }

  /** The region holding a store's data, or null when it is spread (managed dual/multi-region, global). */
  storeRegion(store: Store): string | null {
    if (store.zone !== null) return this.regionOfZone(store.zone);
    if (store.location !== null && this.regions.includes(store.location)) return store.location;
    return null;
  }
}

function unknown(what: string, name: string, valid: string[]): PlannerError {
  return new PlannerError(PLANNER_ERRORS.unknownName, `planner: unknown ${what} "${name}"`, {
    hint: `use one of: ${valid.join(", ") || "(none declared)"}; parse specs with loadSpec, which checks names`,
    details: { what, name },
  });
}
