import type { LoadBalancerSnapshot } from "../balancer/load-balancer.js";
import type { InstanceMetrics } from "../metrics/instance-metrics.js";
import type { InstanceInfo } from "../process/service-run.js";
import type { AutoscaleStatus } from "./autoscaler.js";
import type { StoreView } from "./stores/stores.js";
import type { SystemPlan } from "./system-plan.js";

/** One instance in the live view. */
export interface InstanceView {
  id: string;
  zone: string;
  /** The supervisor's state: `starting`, `ready`, or `down` (a replacement may be waiting). */
  state: InstanceInfo["state"];
  /** By its balancer's health checks on the readiness path; null when no balancer knows it yet. */
  healthy: boolean | null;
  /** Ejected by its balancer as an outlier. */
  ejected: boolean;
  pid: number | null;
  /** 0 for the first process, +1 per replacement. */
  generation: number;
  /** Requests per second it served, from its `/metrics`. */
  requestsPerSecond: number | null;
}

/** One service in the live view: its balancer's last window, its instances, its breakers. */
export interface ServiceView {
  name: string;
  /** Requests per second through its balancer over the last window. */
  rate: number;
  /** Share of those answered 5xx (refusals included) or not at all; null without traffic. */
  errorRatio: number | null;
  p99Ms: number | null;
  /** Requests its balancer received since the start. */
  requests: number;
  /** Capacity per instance and load, scaled. */
  capacity: number;
  load: number;
  instances: InstanceView[];
  /** Its circuit breakers by target: how many of its instances hold each state. */
  breakers: { target: string; states: Record<string, number> }[];
  autoscale: AutoscaleStatus | null;
}

/** A line of the live view's recent events. */
export interface SystemEvent {
  at: number;
  text: string;
}

/** What a running system looks like now (the live view's JSON). */
export interface SystemSnapshot {
  name: string;
  at: number;
  scale: number;
  timeScale: number;
  frontDoor: { service: string; via: string | null; url: string } | null;
  zones: { zone: string; region: string; lost: boolean; partitioned: boolean }[];
  services: ServiceView[];
  stores: StoreView[];
  /** The last events, oldest first. */
  events: SystemEvent[];
}

/** What {@link buildSnapshot} reads. */
export interface SnapshotSources {
  plan: SystemPlan;
  at: number;
  frontDoor: SystemSnapshot["frontDoor"];
  instances: InstanceInfo[];
  lostZones: readonly string[];
  partitionedZones: readonly string[];
  balancers: Map<string, LoadBalancerSnapshot>;
  metrics: Map<string, InstanceMetrics>;
  autoscale: AutoscaleStatus[];
  stores: StoreView[];
  events: SystemEvent[];
}

/**
 * The live view's JSON from the parts' own counters.
 *
 * @example
 * const snapshot = buildSnapshot({ plan, at: clock.now(), ... });
 * snapshot.services.map((s) => [s.name, s.rate, s.p99Ms]);
 */
export function buildSnapshot(sources: SnapshotSources): SystemSnapshot {
  const { plan } = sources;
  return {
    name: plan.name,
    at: sources.at,
    scale: plan.scale,
    timeScale: plan.timeScale,
    frontDoor: sources.frontDoor,
    zones: plan.zones.map(({ zone, region }) => ({
      zone,
      region,
      lost: sources.lostZones.includes(zone),
      partitioned: sources.partitionedZones.includes(zone),
    })),
    services: plan.services.map((service) => {
      const lb = sources.balancers.get(service.name);
      const backends = new Map((lb?.backends ?? []).map((b) => [b.id, b]));
      const instances = sources.instances.filter((i) => i.service === service.name);
      const breakers = new Map<string, Record<string, number>>();
      for (const i of instances) {
        for (const [target, state] of Object.entries(sources.metrics.get(i.id)?.breakers ?? {})) {
          const states = breakers.get(target) ?? {};
          states[state] = (states[state] ?? 0) + 1;
          breakers.set(target, states);
        }
      }
      return {
        name: service.name,
        rate: lb?.recent.rate ?? 0,
        errorRatio: lb?.recent.errorRatio ?? null,
        p99Ms: lb?.recent.p99Ms ?? null,
        requests: lb?.requests ?? 0,
        capacity: service.capacity,
        load: service.load,
        instances: instances.map((i) => {
          const backend = backends.get(i.id);
          return {
            id: i.id,
            zone: i.zone,
            state: i.state,
            healthy: backend ? backend.healthy : null,
            ejected: backend ? backend.ejectionEndsAt !== null && backend.ejectionEndsAt > sources.at : false,
            pid: i.pid,
            generation: i.generation,
            requestsPerSecond: sources.metrics.get(i.id)?.requestsPerSecond ?? null,
          };
        }),
        breakers: [...breakers].map(([target, states]) => ({ target, states })),
        autoscale: sources.autoscale.find((a) => a.service === service.name) ?? null,
      };
    }),
    stores: sources.stores,
    events: sources.events,
  };
}
