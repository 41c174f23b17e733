import type { Random } from "@nines/core";
import type { Call, Service } from "@nines/planner";
import { type CallPolicy, callPolicy, timeout, wrap } from "@nines/resilience";
import type { SimClock } from "../engine/sim-clock.js";
import type { Distribution } from "../random/distributions.js";
import { Balancer, type BalancerHealthOptions, type BalancerNode } from "./balancer.js";
import { type Elsewhere, type InstanceTally, type ServiceFault, SimInstance } from "./instance.js";
import { type InstanceModel, instanceModel, type SimAdmission } from "./instance-model.js";
import type { SimStore } from "./sim-store.js";
import { StoreTarget } from "./store-target.js";
import { statusError } from "./wire-errors.js";

/** How the spec's parts become simulated ones. */
export interface SimSystemOptions {
  clock: SimClock;
  random: Random;
  /** Mean service time of one request in the capacity rule, in ms (see `instanceModel`). */
  serviceTimeMs: number;
  /** Worker slots per instance instead of the capacity rule. */
  workers?: number | undefined;
  /** The service-time distribution for a given mean, in ms. */
  serviceTime: (meanMs: number) => Distribution;
  /** Latency of one store call. */
  storeLatency: Distribution;
  /** Every instance's guard: tuned as nines' service host tunes it (default), given options, or false for none. */
  admission?: SimAdmission | "tuned" | undefined;
  /** The balancers' health checks and outlier ejection. */
  health: BalancerHealthOptions;
  /** The overall limit of one call between services, retries included, sent to the callee as its deadline. */
  callDeadlineMs: number;
  /** Callees whose callers retry at once, without budget or breaker (a retry storm). */
  storm: ReadonlySet<string>;
  /** Told of every call site made (`true`) and dropped with its instance (`false`): recorders watch breakers. */
  onSite?: (site: CallSite, added: boolean) => void;
  /**
   * Kinds of user request at the `entries`: for kind i the entry makes
   * `calls[i]`'s services in order (see `SimWorkload`); none: the spec's
   * calls by probability.
   */
  requests?: { entries: ReadonlySet<string>; calls: readonly (readonly string[])[] } | undefined;
}

/** What callers did to one service or store: executions and attempts (retries included). */
export interface TargetStats {
  calls: number;
  attempts: number;
}

/** Anything a call can reach: a service behind its balancer, or a store. */
export interface Target {
  readonly name: string;
  readonly stats: TargetStats;
  call(zone: string | null, deadlineAt: number): Promise<void>;
}

/** One call site of one instance: the callee, how often a request makes the call, and its own policies. */
export interface CallSite {
  readonly call: Call;
  readonly target: Target;
  readonly probability: number;
  /** The spec's policies for this call, as `callPolicy` of `@nines/resilience` builds them. */
  readonly policy: CallPolicy;
  /** Makes the call: the policies inside its overall deadline (`callDeadlineMs`). */
  readonly execute: () => Promise<void>;
}

/** An instance of a service with the zone it runs in and its call sites. */
export interface SimNode extends BalancerNode {
  readonly sites: CallSite[];
  ready(): boolean;
  /** Makes the instance's calls for one request (made once: a closure per request would cost a hop's time). */
  downstream: (() => Promise<void>) | undefined;
  /** At an entry with kinds of request: the calls for each kind, by its index. */
  kinds: (() => Promise<void>)[] | undefined;
}

/** How a service reaches its callees: every target by name, and each call's probability. */
export interface Wiring {
  targets: ReadonlyMap<string, Target>;
  stores: ReadonlyMap<string, SimStore>;
  probabilities: ReadonlyMap<string, number>;
}

const RESOLVED = Promise.resolve();
const ignore = (): void => {};

/** Where one request went and what it needs to go elsewhere when refused: one object, not a closure per hop. */
class Route implements Elsewhere {
  readonly #reroute: (route: Route, refusal: unknown) => Promise<void>;
  readonly zone: string | null;
  readonly deadlineAt: number;
  readonly tried: SimNode[] | undefined;
  readonly node: SimNode;
  readonly kind: number;

  constructor(
    reroute: (route: Route, refusal: unknown) => Promise<void>,
    zone: string | null,
    deadlineAt: number,
    tried: SimNode[] | undefined,
    node: SimNode,
    kind: number,
  ) {
    this.#reroute = reroute;
    this.zone = zone;
    this.deadlineAt = deadlineAt;
    this.tried = tried;
    this.node = node;
    this.kind = kind;
  }

  retry(refusal: unknown): Promise<void> {
    return this.#reroute(this, refusal);
  }
}

/**
 * A spec's service as simulated instances behind a zone-aware balancer. A
 * request that reaches an instance is admitted by its guard, served by its
 * workers, then makes the spec's calls (in parallel, each with the
 * probability that keeps every callee at its spec load: `callee load / sum
 * of its callers' loads`, 1 for stores) through real per-instance
 * resilience pipelines built by `callPolicy` from the spec's call, inside
 * the call's overall deadline; a failed required call makes the request
 * fail with a 503, an optional one is ignored. An instance whose service
 * checks its dependencies is not ready while a store it requires is down.
 *
 * @example
 * const web = SimSystem.build(spec, options).services.get("web");
 * await web?.call(null, Number.POSITIVE_INFINITY); // one user request through web and its callees
 */
export class SimService implements Target {
  readonly name: string;
  readonly spec: Service;
  readonly nodes: SimNode[] = [];
  readonly stats: TargetStats = { calls: 0, attempts: 0 };
  readonly fault: ServiceFault = { slowdown: 1, errorRate: 0 };
  readonly tally: InstanceTally = { served: 0, late: 0, failed: 0, shed: 0 };
  readonly #options: SimSystemOptions;
  /** How each instance works: its slots, service time and guard. */
  readonly model: InstanceModel;
  #wiring: Wiring | undefined;
  #balancer: Balancer<SimNode> | undefined;
  #requiredStores: SimStore[] = [];
  #made = 0;

  constructor(spec: Service, options: SimSystemOptions) {
    this.name = spec.name;
    this.spec = spec;
    this.#options = options;
    this.model = instanceModel(spec, options);
  }

  /** The balancer in front of the instances (after {@link connect}). */
  get balancer(): Balancer<SimNode> {
    return this.#balancer as Balancer<SimNode>;
  }

  /** Makes the spec's instances and call sites once every target exists, and starts the health checks. */
  connect(wiring: Wiring): void {
    this.#wiring = wiring;
    if (this.spec.health.dependencies) {
      this.#requiredStores = this.spec.calls
        .filter((call) => call.targetKind === "store" && !call.optional)
        .map((call) => wiring.stores.get(call.target) as SimStore);
    }
    for (const zone of this.spec.zones) {
      for (let i = 0; i < this.spec.instances; i++) this.nodes.push(this.#node(zone, 0));
    }
    this.#balancer = new Balancer(this.#options.clock, this.#options.random, this.nodes, this.#options.health);
  }

  /** A new instance in `zone` that serves after `startupMs` and joins the rotation once a check passes. */
  addInstance(zone: string, startupMs: number): SimNode {
    const node = this.#node(zone, startupMs);
    this.nodes.push(node);
    this.balancer.add(node, false);
    return node;
  }

  /** Scales in: the instance leaves the rotation at once and stops; requests inside finish. */
  removeInstance(node: SimNode): void {
    const index = this.nodes.indexOf(node);
    if (index < 0) return;
    this.nodes.splice(index, 1);
    this.balancer.remove(node);
    node.instance.stop();
    for (const site of node.sites) this.#options.onSite?.(site, false);
  }

  /** A latency spike: service times of every instance, running and new, multiplied by `factor`. */
  setSlowdown(factor: number): void {
    this.fault.slowdown = factor;
    for (const node of this.nodes) node.instance.server.slowdown = factor;
  }

  call(zone: string | null, deadlineAt: number): Promise<void> {
    return this.#route(zone, deadlineAt, undefined, undefined, -1);
  }

  /** One user request of kind `kind` (an index into the workload's requests) at this entry. */
  callKind(zone: string | null, deadlineAt: number, kind: number): Promise<void> {
    return this.#route(zone, deadlineAt, undefined, undefined, kind);
  }

  /**
   * Sends one request to the instance the balancer picks; as `nines up`'s
   * balancer does, an instance that refuses (a refused connection, the
   * guard's 503) makes it try the next, and the client gets the last
   * refusal once every instance in rotation has refused.
   */
  #route(
    zone: string | null,
    deadlineAt: number,
    tried: SimNode[] | undefined,
    refusal: unknown,
    kind: number,
  ): Promise<void> {
    const node = this.balancer.pick(zone, tried);
    // The balancer has nothing (more) in rotation: the last refusal, or its own 503.
    if (node === undefined) return Promise.reject(refusal ?? statusError(this.name, 503));
    const downstream = kind < 0 || node.kinds === undefined ? node.downstream : node.kinds[kind];
    const route = new Route(this.#reroute, zone, deadlineAt, tried, node, kind);
    return node.instance.handle(deadlineAt, "normal", downstream, route);
  }

  /** A refused request tries the next instance (made once; each {@link Route} calls it with itself). */
  readonly #reroute = (route: Route, refusal: unknown): Promise<void> => {
    const tried = route.tried === undefined ? [route.node] : [...route.tried, route.node];
    return this.#route(route.zone, route.deadlineAt, tried, refusal, route.kind);
  };

  #node(zone: string, startupMs: number): SimNode {
    const options = this.#options;
    const instance = new SimInstance({
      service: this.name,
      name: `${this.name}-${zone}-${this.#made++}`,
      clock: options.clock,
      random: options.random,
      workers: this.model.workers,
      serviceTime: options.serviceTime(this.model.meanMs),
      admission: this.model.admission,
      fault: this.fault,
      tally: this.tally,
      startupMs,
    });
    const stores = this.#requiredStores;
    const node: SimNode = {
      instance,
      zone,
      sites: [],
      ready: stores.length === 0 ? () => instance.up : () => instance.up && stores.every((store) => store.up),
      downstream: undefined,
      kinds: undefined,
    };
    for (const call of this.spec.calls) {
      const site = this.#site(call, zone);
      node.sites.push(site);
      options.onSite?.(site, true);
    }
    if (node.sites.length > 0) node.downstream = () => this.#downstream(node);
    const requests = options.requests;
    if (requests?.entries.has(this.name)) {
      node.kinds = requests.calls.map((calls) => {
        const sites = calls.map((target) => node.sites.find((site) => site.call.target === target) as CallSite);
        return () => this.#inOrder(node, sites);
      });
    }
    return node;
  }

  #site(spec: Call, zone: string): CallSite {
    const options = this.#options;
    const wiring = this.#wiring as Wiring;
    const target = wiring.targets.get(spec.target) as Target;
    // Storming callers retry at once and without limit: no backoff, jitter, budget or breaker.
    const call: Call = options.storm.has(spec.target)
      ? { ...spec, retries: Math.max(2, spec.retries), backoff: "none", jitter: false, budget: null, breaker: false }
      : spec;
    // One retry budget per dependency per process: callPolicy builds one for this call site.
    const policy = callPolicy(call, {
      clock: options.clock,
      random: options.random,
      name: `${this.name}->${call.target}`,
      errorStacks: false,
    });
    const stats = target.stats;
    const operation = (context: { readonly deadlineAt: number }): Promise<void> => {
      stats.attempts++;
      return target.call(zone, context.deadlineAt);
    };
    return {
      call,
      target,
      probability: wiring.probabilities.get(`${this.name}->${call.target}`) ?? 1,
      policy,
      execute: this.#deadlined(policy, target, operation),
    };
  }

  /**
   * The call inside its overall deadline, as ClickTravel's services wrap
   * every dependency (`timeout(callDeadlineMs)` around the policies), with
   * the wrapper left out where it could never fire first (each left-out
   * stage is a promise race a hop saved): a call with no policy to a store,
   * which answers at a time known when it is asked and gives up at the
   * deadline itself, and a call with no retry whose own timeout is shorter.
   */
  #deadlined(
    policy: CallPolicy,
    target: Target,
    operation: (context: { readonly deadlineAt: number }) => Promise<void>,
  ): () => Promise<void> {
    const { clock, callDeadlineMs } = this.#options;
    if (policy.pipeline.stages.length === 0 && target instanceof StoreTarget) {
      const stats = target.stats;
      return () => {
        stats.attempts++;
        return target.store.call(clock.now() + callDeadlineMs, callDeadlineMs);
      };
    }
    const bounded =
      policy.retry === undefined && policy.timeout !== undefined && policy.timeout.timeoutMs <= callDeadlineMs;
    const pipeline = bounded
      ? policy.pipeline
      : wrap(timeout({ timeoutMs: callDeadlineMs, clock, errorStacks: false }), policy.pipeline);
    return () => pipeline.execute(operation);
  }

  /** One kind of request: the entry's optional calls by probability, then `sites` one after the other. */
  async #inOrder(node: SimNode, sites: readonly CallSite[]): Promise<void> {
    const random = this.#options.random;
    for (const site of node.sites) {
      if (!site.call.optional || (site.probability < 1 && random.next() >= site.probability)) continue;
      site.target.stats.calls++;
      site.execute().then(undefined, ignore);
    }
    for (const site of sites) {
      site.target.stats.calls++;
      await site.execute();
    }
  }

  #downstream(node: SimNode): Promise<void> {
    let required: Promise<void>[] | undefined;
    const random = this.#options.random;
    for (const site of node.sites) {
      if (site.probability < 1 && random.next() >= site.probability) continue;
      site.target.stats.calls++;
      const call = site.execute();
      if (site.call.optional) {
        call.then(undefined, ignore);
      } else {
        required ??= [];
        required.push(call);
      }
    }
    if (required === undefined) return RESOLVED;
    if (required.length === 1) return required[0] as Promise<void>;
    return Promise.all(required).then(ignore);
  }
}
