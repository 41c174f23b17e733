import { type Clock, systemClock } from "@nines/core";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import type { FaultMode } from "./fault-mode.js";
import { FaultProxy } from "./fault-proxy.js";

/**
 * The simulated network between the balancers and the instances: one
 * {@link FaultProxy} per instance, grouped by zone, so that a drill can cut
 * a zone off (every connection to it hangs, as in a real partition) or put
 * a fault on one instance, and heal it.
 *
 * @example
 * const network = new ZoneNetwork();
 * const url = await network.add({ id: "inventory-a-0", zone: "us-central1-a", port: instance.port });
 * // balancers send to `url`
 * network.partition("us-central1-a");
 * network.heal("us-central1-a");
 * await network.close();
 */
export class ZoneNetwork {
  readonly #proxies = new Map<string, { zone: string; proxy: FaultProxy }>();
  readonly #partitioned = new Set<string>();
  readonly #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Puts a proxy in front of an instance's port; returns the URL to reach it by. */
  async add(instance: { id: string; zone: string; port: number }): Promise<string> {
    const proxy = await FaultProxy.listen({
      target: instance.port,
      clock: this.#clock,
      ...(this.#partitioned.has(instance.zone) && { mode: { kind: "blackhole" } as FaultMode }),
    });
    this.#proxies.set(instance.id, { zone: instance.zone, proxy });
    return proxy.url;
  }

  /** Takes an instance's proxy away (the instance was removed); its open connections close. */
  async remove(id: string): Promise<void> {
    const entry = this.#proxies.get(id);
    if (!entry) return;
    this.#proxies.delete(id);
    await entry.proxy.close();
  }

  /** The zones cut off now. */
  partitioned(): string[] {
    return [...this.#partitioned];
  }

  /** Cuts a zone off: connections to its instances hang until {@link heal}. */
  partition(zone: string): void {
    this.#partitioned.add(zone);
    for (const { proxy } of this.#zone(zone)) proxy.setMode({ kind: "blackhole" });
  }

  /** Restores a zone's network. */
  heal(zone: string): void {
    this.#partitioned.delete(zone);
    for (const { proxy } of this.#zone(zone)) proxy.setMode({ kind: "pass" });
  }

  /** Puts a fault on one instance's link (latency, errors, bandwidth...). */
  setMode(id: string, mode: FaultMode): void {
    const entry = this.#proxies.get(id);
    if (!entry) {
      throw new DrillError(DRILL_ERRORS.unknownName, `network: no instance "${id}"`, {
        hint: `instances are ${[...this.#proxies.keys()].join(", ")}`,
      });
    }
    entry.proxy.setMode(mode);
  }

  /** The proxy of an instance (its counters). */
  proxy(id: string): FaultProxy | undefined {
    return this.#proxies.get(id)?.proxy;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#proxies.values()].map(({ proxy }) => proxy.close()));
    this.#proxies.clear();
  }

  #zone(zone: string): { proxy: FaultProxy }[] {
    const entries = [...this.#proxies.values()].filter((p) => p.zone === zone);
    if (entries.length === 0) {
      const zones = [...new Set([...this.#proxies.values()].map((p) => p.zone))];
      throw new DrillError(DRILL_ERRORS.unknownName, `network: no instance in zone "${zone}"`, {
        hint: `zones are ${zones.join(", ")}`,
      });
    }
    return entries;
  }
}
