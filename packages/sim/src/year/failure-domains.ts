import type { Random } from "@nines/core";
import {
  type CountedStandby,
  countedZones,
  neededInstances,
  type Service,
  type Spec,
  type Store,
} from "@nines/planner";
import type { SimClock } from "../engine/sim-clock.js";
import type { DowntimeCause, JourneyTally, Part } from "./journey-tally.js";

/** How long one outage of each kind of failure domain lasts on average (exponential), in ms. */
export interface OutageMs {
  /** A service instance or a store node (default 1 h). */
  instance?: number;
  /** A zone (default 1 h). */
  zone?: number;
  /** A region (default 4 h). */
  region?: number;
  /** A managed component: an edge component or a managed store (default 1 h). */
  managed?: number;
}

/** What the failure domains need to run: the clock, the draws, the mode and the spec's recovery times. */
export interface DomainsOptions {
  clock: SimClock;
  random: Random;
  /** False: detection, failover and start-up are instant (the plan's model). */
  recoveryTimes: boolean;
  /** How long a load balancer keeps sending to a dead instance, in ms. */
  detectionMs: number;
  outageMs: Required<OutageMs>;
}

/** One process that alternates up and down: exponential times with means that give availability `a`. */
class Flip {
  up: boolean;
  readonly #upMs: number;
  readonly #downMs: number;

  constructor(availability: number, downMs: number, random: Random) {
    this.#downMs = downMs;
    this.#upMs = availability >= 1 ? Number.POSITIVE_INFINITY : (downMs * availability) / (1 - availability);
    // Started in its stationary state, so that the first year is like every other.
    this.up = random.next() < availability;
  }

  /** The time until the next flip, drawn (memoryless: a residual time is a fresh draw). */
  next(random: Random): number {
    const mean = this.up ? this.#upMs : this.#downMs;
    return mean === Number.POSITIVE_INFINITY ? mean : -mean * Math.log(1 - random.next());
  }
}

class RegionState {
  readonly zones: ZoneState[] = [];
  constructor(readonly flip: Flip) {}
}

class ZoneState {
  readonly instances: InstanceState[] = [];
  readonly services = new Set<ServiceState>();
  readonly stores = new Set<StoreState>();
  effective: boolean;
  constructor(
    readonly flip: Flip,
    readonly region: RegionState,
  ) {
    this.effective = flip.up && region.flip.up;
  }
}

/** An instance, or a node of a placed store: serving when its process and zone are up and it has started. */
class InstanceState {
  starting = false;
  /** Down, but a load balancer still sends to it (detection pending). */
  undetected = false;
  serving: boolean;
  /** Bumped by every change, so that a stale timer does nothing. */
  generation = 0;
  constructor(
    readonly flip: Flip,
    readonly zone: ZoneState,
    readonly owner: ServiceState | StoreState,
  ) {
    this.serving = flip.up && zone.effective;
  }
}

abstract class PartState implements Part {
  fraction = 1;
  cause: DowntimeCause | null = null;
  readonly journeys: JourneyTally[] = [];
}

class ServiceState extends PartState {
  readonly instances: InstanceState[] = [];
  constructor(
    readonly spec: Service,
    readonly k: number,
    /** Attempts a caller makes (1 + its retries): a request fails during detection only if every attempt hits a dead instance. */
    readonly attempts: number,
  ) {
    super();
  }
}

class StoreState extends PartState {
  readonly nodes: InstanceState[] = [];
  /** The node (or, for a managed store, the zone index in `zones`) serving now. */
  active = 0;
  /** The node a failover is moving to, while it runs. */
  target: number | undefined = undefined;
  /** Bumped by every failover started, so that a stale timer does nothing. */
  failovers = 0;
  /** A managed store's own process (its catalog figure); undefined for a placed store. */
  managed: Flip | undefined;
  /** A managed store's zones (primary, replica): only for failover windows. */
  readonly zones: ZoneState[] = [];
  /** The node that is its hot standby, when one counts (the last of `nodes`). */
  standby: InstanceState | undefined = undefined;
  constructor(
    readonly spec: Store,
    readonly counted: CountedStandby | undefined,
  ) {
    super();
  }

  /** How long moving to the node (or zone) at `index` of the serving list takes. */
  switchMs(index: number, servingCount: number): number {
    if (this.counted !== undefined && index === servingCount - 1) return this.counted.switchMs;
    return this.spec.replica?.failoverMs ?? 0;
  }
}

class ManagedState extends PartState {
  constructor(readonly flip: Flip) {
    super();
  }
}

/**
 * Every failure domain of a spec as a process that fails and is repaired
 * (exponential up and down times whose means give the spec's
 * availability: regions, zones, instances and placed store nodes, managed
 * components), and every journey component as a function of them, with
 * the plan's rules: a service is up when at least k of its instances are
 * up in up zones, a placed store when one of its nodes is, a managed
 * component with its own figure; a service's hot standby runs more of its
 * instances, in its region, as the plan counts them. With recovery times, a load balancer
 * keeps sending to a dead instance for the detection delay (a request fails
 * when all its attempts hit dead instances), an instance that comes back
 * (its process, or its zone) takes `startupMs` before it serves, and a
 * store whose serving node or zone is lost is down for
 * `replica.failoverMs` while its replica takes over.
 *
 * @example
 * const domains = new FailureDomains(spec, { clock, random, recoveryTimes: true, detectionMs: 2000, outageMs });
 * domains.part("web"); // the service's state, which journeys watch
 */
export class FailureDomains {
  readonly #options: DomainsOptions;
  readonly #parts = new Map<string, PartState>();
  readonly #regions: RegionState[] = [];
  readonly #zones = new Map<string, ZoneState>();

  constructor(spec: Spec, options: DomainsOptions) {
    this.#options = options;
    const { random, outageMs } = options;
    const availability = spec.platform.availability;
    for (const region of spec.platform.regions) {
      const state = new RegionState(new Flip(availability.region, outageMs.region, random));
      this.#regions.push(state);
      for (const zone of region.zones) {
        const zoneState = new ZoneState(new Flip(availability.zone, outageMs.zone, random), state);
        state.zones.push(zoneState);
        this.#zones.set(zone, zoneState);
      }
    }
    for (const edge of spec.edge) {
      this.#parts.set(edge.name, new ManagedState(new Flip(edge.availability, outageMs.managed, random)));
    }
    const attempts = new Map<string, number>();
    for (const service of spec.services) {
      for (const call of service.calls)
        attempts.set(call.target, Math.max(attempts.get(call.target) ?? 1, call.retries + 1));
    }
    const counted = countedZones(spec);
    for (const service of spec.services) {
      const state = new ServiceState(service, neededInstances(service), attempts.get(service.name) ?? 1);
      for (const zone of counted.services.get(service.name) ?? []) {
        const zoneState = this.#zones.get(zone) as ZoneState;
        zoneState.services.add(state);
        for (let i = 0; i < service.instances; i++) {
          const instance = new InstanceState(
            new Flip(availability.instance, outageMs.instance, random),
            zoneState,
            state,
          );
          state.instances.push(instance);
          zoneState.instances.push(instance);
        }
      }
      this.#parts.set(service.name, state);
    }
    for (const store of spec.stores) {
      const standby = counted.storeStandbys.get(store.name);
      const state = new StoreState(store, standby);
      const zones = [store.zone, store.replica?.zone].filter((z): z is string => typeof z === "string");
      const addNode = (zone: string): InstanceState => {
        const zoneState = this.#zones.get(zone) as ZoneState;
        const node = new InstanceState(new Flip(availability.instance, outageMs.instance, random), zoneState, state);
        state.nodes.push(node);
        zoneState.instances.push(node);
        return node;
      };
      if (store.managed) {
        state.managed = new Flip(store.sla ?? 1, outageMs.managed, random);
        for (const zone of zones) state.zones.push(this.#zones.get(zone) as ZoneState);
      } else {
        for (const zone of zones) addNode(zone);
      }
      // A hot standby that counts is one more node of the store, placed or managed, as in the plan.
      if (standby !== undefined) state.standby = addNode(standby.zone);
      for (const zone of state.zones) zone.stores.add(state);
      for (const node of state.nodes) node.zone.stores.add(state);
      this.#parts.set(store.name, state);
    }
    for (const part of this.#parts.values()) this.#evaluate(part, false);
  }

  /** A journey component's state, by name (undefined for a name the spec lacks). */
  part(name: string): Part | undefined {
    return this.#parts.get(name);
  }

  /** Schedules every process's first flip. */
  start(): void {
    for (const region of this.#regions) this.#schedule(region.flip, () => this.#regionFlipped(region));
    for (const zone of this.#zones.values()) this.#schedule(zone.flip, () => this.#zoneFlipped(zone));
    for (const part of this.#parts.values()) {
      if (part instanceof ManagedState) this.#schedule(part.flip, () => this.#evaluate(part, true));
      if (part instanceof StoreState && part.managed) this.#schedule(part.managed, () => this.#evaluate(part, true));
      const instances = part instanceof ServiceState ? part.instances : part instanceof StoreState ? part.nodes : [];
      for (const instance of instances) this.#schedule(instance.flip, () => this.#instanceFlipped(instance));
    }
  }

  #schedule(flip: Flip, flipped: () => void): void {
    const { clock, random } = this.#options;
    const tick = (): void => {
      flip.up = !flip.up;
      flipped();
      const next = flip.next(random);
      if (next !== Number.POSITIVE_INFINITY) clock.scheduleSync(next, tick);
    };
    const first = flip.next(random);
    if (first !== Number.POSITIVE_INFINITY) clock.scheduleSync(first, tick);
  }

  #regionFlipped(region: RegionState): void {
    for (const zone of region.zones) this.#zoneFlipped(zone);
  }

  #zoneFlipped(zone: ZoneState): void {
    const effective = zone.flip.up && zone.region.flip.up;
    if (effective === zone.effective) return;
    zone.effective = effective;
    for (const instance of zone.instances) this.#instanceChanged(instance);
    for (const service of zone.services) this.#evaluate(service, true);
    for (const store of zone.stores) this.#evaluate(store, true);
  }

  #instanceFlipped(instance: InstanceState): void {
    this.#instanceChanged(instance);
    this.#evaluate(instance.owner, true);
  }

  /** Its process or zone changed: it stops serving (detection pending), or starts (start-up). */
  #instanceChanged(instance: InstanceState): void {
    const { clock, recoveryTimes, detectionMs } = this.#options;
    const running = instance.flip.up && instance.zone.effective;
    const generation = ++instance.generation;
    if (!running) {
      if (instance.serving && recoveryTimes && detectionMs > 0 && instance.owner instanceof ServiceState) {
        instance.undetected = true;
        clock.scheduleSync(detectionMs, () => {
          if (instance.generation !== generation) return;
          instance.undetected = false;
          this.#evaluate(instance.owner, true);
        });
      }
      instance.serving = false;
      instance.starting = false;
      return;
    }
    if (instance.serving || instance.starting) return;
    instance.undetected = false;
    const startupMs = instance.owner instanceof ServiceState ? (instance.owner.spec.startupMs ?? 0) : 0;
    if (!recoveryTimes || startupMs <= 0) {
      instance.serving = true;
      return;
    }
    instance.starting = true;
    clock.scheduleSync(startupMs, () => {
      if (instance.generation !== generation) return;
      instance.starting = false;
      instance.serving = true;
      this.#evaluate(instance.owner, true);
    });
  }

  /** Recomputes a part's state and tells its journeys when it changed. */
  #evaluate(part: PartState, notify: boolean): void {
    let fraction: number;
    let cause: DowntimeCause | null;
    if (part instanceof ServiceState) [fraction, cause] = this.#service(part);
    else if (part instanceof StoreState) [fraction, cause] = this.#store(part);
    else [fraction, cause] = (part as ManagedState).flip.up ? [1, null] : [0, "managed-outage"];
    if (fraction === part.fraction && cause === part.cause) return;
    if (notify) {
      const now = this.#options.clock.now();
      for (const journey of part.journeys) journey.change(now, part, fraction, cause);
    }
    part.fraction = fraction;
    part.cause = cause;
  }

  #service(service: ServiceState): [number, DowntimeCause | null] {
    let serving = 0;
    let undetected = 0;
    let starting = 0;
    let failed = 0;
    let zoneDown = 0;
    for (const instance of service.instances) {
      if (instance.serving) serving++;
      else {
        if (instance.undetected) undetected++;
        if (instance.starting) starting++;
        else if (instance.zone.effective) failed++;
        else if (instance.zone.region.flip.up) zoneDown++;
      }
    }
    const k = service.k;
    if (serving < k) {
      // The smallest failure whose repair alone would bring it back takes the blame.
      if (serving + starting >= k) return [0, "start-up"];
      if (serving + starting + failed >= k) return [0, "instance-failures"];
      if (serving + starting + failed + zoneDown >= k) return [0, "zone-outage"];
      return [0, "region-outage"];
    }
    if (undetected === 0) return [1, null];
    return [1 - (undetected / (serving + undetected)) ** service.attempts, "detection"];
  }

  #store(store: StoreState): [number, DowntimeCause | null] {
    const managed = store.managed;
    if (managed !== undefined) {
      // A managed store fails over between its zones (a zonal primary with a replica), and to its hot standby.
      const up = managed.up;
      const recoveryTimes = this.#options.recoveryTimes;
      // Without recovery times the plan's model: the managed figure alone (its zones move nothing).
      const own = !recoveryTimes || store.zones.length < 2 ? [up] : store.zones.map((zone) => up && zone.effective);
      const serving = store.standby === undefined ? own : [...own, store.standby.serving];
      if (!recoveryTimes) return serving.some(Boolean) ? [1, null] : [0, "managed-outage"];
      const [fraction, cause] = this.#failover(store, serving);
      return fraction === 0 && cause === null ? [0, "managed-outage"] : [fraction, cause];
    }
    const serving = store.nodes.map((node) => node.serving);
    if (!this.#options.recoveryTimes) {
      if (serving.some(Boolean)) return [1, null];
      return [0, this.#nodesCause(store)];
    }
    const [fraction, cause] = this.#failover(store, serving);
    return fraction === 0 && cause === null ? [0, this.#nodesCause(store)] : [fraction, cause];
  }

  /** Up while the active node serves; when it stops and another serves, down for `failoverMs`, then that one is active. */
  #failover(store: StoreState, serving: boolean[]): [number, DowntimeCause | null] {
    if (serving[store.active]) {
      store.target = undefined;
      return [1, null];
    }
    if (store.target !== undefined && serving[store.target]) return [0, "failover"];
    const other = serving.findIndex(Boolean);
    if (other < 0) {
      store.target = undefined;
      return [0, null];
    }
    store.target = other;
    const failover = ++store.failovers;
    const failoverMs = store.switchMs(other, serving.length);
    this.#options.clock.scheduleSync(failoverMs, () => {
      if (store.failovers !== failover || store.target !== other) return;
      store.active = other;
      store.target = undefined;
      this.#evaluate(store, true);
    });
    return [0, "failover"];
  }

  #nodesCause(store: StoreState): DowntimeCause {
    if (store.nodes.some((node) => node.zone.effective)) return "instance-failures";
    if (store.nodes.some((node) => node.zone.region.flip.up)) return "zone-outage";
    return "region-outage";
  }
}
