import type { Spec, Store } from "@nines/planner";
import type { SimClock } from "../engine/sim-clock.js";
import type { SimNode, SimService } from "./sim-service.js";
import type { SimSystem } from "./sim-system.js";

/** How a placed store is being served: by its primary's zone, its replica's, or a restored copy. */
type StoreHome = { kind: "zone"; zone: string } | { kind: "restored" };

/** Something the platform did, for the run's marks and the tests. */
export interface PlatformEvent {
  at: number;
  what: string;
}

/**
 * The failure domains under a simulated system: zones and regions go down
 * and come back, stores fail over or are restored, crashed instances are
 * replaced. A lost zone cuts its instances off (their callers' connections
 * hang, as in `nines drill`'s partition) and takes down a placed store
 * whose serving node is there: a replica in a live zone takes over after
 * `replica.failoverMs`; without one, a copy is restored from backups kept
 * elsewhere after `backups.restoreMs`; else the store waits for its zone.
 * A managed store placed in one region goes down with that region only.
 * When a zone comes back its instances restart (`startupMs`). A crashed
 * instance of a service that autoheals is restarted in place once its
 * health checks have noticed (the balancer's detection delay), then takes
 * `startupMs` to serve.
 *
 * @example
 * const platform = new SimPlatform(spec, system, clock);
 * platform.loseZone("us-central1-a");
 * platform.zoneUp("us-central1-a"); // false
 */
export class SimPlatform {
  readonly events: PlatformEvent[] = [];
  readonly #spec: Spec;
  readonly #system: SimSystem;
  readonly #clock: SimClock;
  readonly #downZones = new Set<string>();
  readonly #regionOf = new Map<string, string>();
  readonly #homes = new Map<string, StoreHome>();
  /** Pending failovers and restores by store: a zone that comes back first makes them moot. */
  readonly #recovering = new Map<string, { cancel(): void }>();

  constructor(spec: Spec, system: SimSystem, clock: SimClock) {
    this.#spec = spec;
    this.#system = system;
    this.#clock = clock;
    for (const region of spec.platform.regions) for (const zone of region.zones) this.#regionOf.set(zone, region.name);
    for (const store of spec.stores)
      if (store.zone !== null) this.#homes.set(store.name, { kind: "zone", zone: store.zone });
  }

  zoneUp(zone: string): boolean {
    return !this.#downZones.has(zone);
  }

  /** The zones of `region`, in file order. */
  zonesOf(region: string): string[] {
    return this.#spec.platform.regions.find((r) => r.name === region)?.zones ?? [];
  }

  /** Every instance in `zone` is cut off; stores served from there go down. */
  loseZone(zone: string): void {
    this.loseZones([zone]);
  }

  /** Several zones at once (a region): stores fail over only to a zone that is still up. */
  loseZones(zones: readonly string[]): void {
    for (const zone of zones) this.#downZones.add(zone);
    this.#note(`lost ${zones.join(", ")}`);
    for (const service of this.#system.services.values()) {
      for (const node of service.nodes) if (this.#downZones.has(node.zone)) node.instance.fail("hang");
    }
    for (const store of this.#spec.stores) this.#storeLost(store, zones);
  }

  /** The zones come back: their instances restart, stores waiting for them return. */
  restoreZones(zones: readonly string[]): void {
    for (const zone of zones) this.#downZones.delete(zone);
    this.#note(`restored ${zones.join(", ")}`);
    for (const service of this.#system.services.values()) {
      const startupMs = service.spec.startupMs ?? 0;
      for (const node of service.nodes) {
        if (zones.includes(node.zone) && node.instance.state === "down") node.instance.start(startupMs);
      }
    }
    for (const store of this.#spec.stores) {
      const simulated = this.#system.stores.get(store.name);
      if (simulated === undefined || simulated.up) continue;
      const home = this.#homes.get(store.name);
      const regional = store.zone === null && store.location !== null && this.#regionOf.size > 0;
      const back =
        (home?.kind === "zone" && zones.includes(home.zone)) ||
        (regional && this.zonesOf(store.location as string).every((z) => this.zoneUp(z)));
      if (!back) continue;
      this.#recovering.get(store.name)?.cancel();
      this.#recovering.delete(store.name);
      simulated.repair();
      this.#note(`${store.name} back in its zone`);
    }
  }

  /**
   * A process crash: the instance refuses connections; if its service
   * autoheals, it is restarted once the health checks have noticed.
   */
  crash(service: SimService, node: SimNode): void {
    if (node.instance.state !== "up" && node.instance.state !== "starting") return;
    node.instance.fail("refused");
    if (!service.spec.health.autoheal) return;
    this.#clock.scheduleSync(service.balancer.detectionMs, () => {
      if (node.instance.state === "down" && this.zoneUp(node.zone)) node.instance.start(service.spec.startupMs ?? 0);
    });
  }

  #storeLost(store: Store, zones: readonly string[]): void {
    const simulated = this.#system.stores.get(store.name);
    if (simulated === undefined || !simulated.up) return;
    if (store.zone === null) {
      // A managed store placed in one region goes down only when all of that region is.
      const location = store.location;
      if (
        location !== null &&
        this.zonesOf(location).length > 0 &&
        this.zonesOf(location).every((z) => !this.zoneUp(z))
      ) {
        simulated.fail();
        this.#note(`${store.name} down with ${location}`);
      }
      return;
    }
    const home = this.#homes.get(store.name);
    if (home?.kind !== "zone" || !zones.includes(home.zone)) return;
    simulated.fail();
    const replica = store.replica;
    if (replica !== null && replica.zone !== home.zone && this.zoneUp(replica.zone)) {
      this.#note(`${store.name} fails over to ${replica.zone}`);
      this.#recover(store, replica.failoverMs, { kind: "zone", zone: replica.zone });
      return;
    }
    const backups = store.backups;
    if (backups !== null && this.#backupsSurvive(store, home.zone)) {
      this.#note(`${store.name} restored from backups`);
      this.#recover(store, backups.restoreMs + (store.standby?.provisionMs ?? 0), { kind: "restored" });
      return;
    }
    this.#note(`${store.name} waits for ${home.zone}`);
  }

  #recover(store: Store, afterMs: number, home: StoreHome): void {
    const simulated = this.#system.stores.get(store.name);
    const timer = this.#clock.scheduleSync(afterMs, () => {
      this.#recovering.delete(store.name);
      this.#homes.set(store.name, home);
      simulated?.repair();
      this.#note(`${store.name} serves again`);
    });
    this.#recovering.set(store.name, timer);
  }

  /** Backups kept outside what was lost: never same-zone; same-region only while the region has a live zone. */
  #backupsSurvive(store: Store, zone: string): boolean {
    const at = store.backups?.at;
    if (at === undefined || at.kind === "same-zone") return false;
    const region = this.#regionOf.get(zone) as string;
    const regionUp = this.zonesOf(region).some((z) => this.zoneUp(z));
    if (at.kind === "same-region") return regionUp;
    if (at.kind === "region") return this.zonesOf(at.region).some((z) => this.zoneUp(z));
    return true;
  }

  #note(what: string): void {
    this.events.push({ at: this.#clock.now(), what });
  }
}
