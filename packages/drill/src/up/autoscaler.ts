import { type Clock, systemClock } from "@nines/core";
import type { InstanceMetrics } from "../metrics/instance-metrics.js";
import type { InstanceInfo } from "../process/service-run.js";

/**
 * What utilization is measured against, as `nines k8s` requests by default
 * per pod: 500m CPU and 512Mi memory.
 */
export const RESOURCE_REQUESTS = { cpuCores: 0.5, memoryBytes: 512 * 1024 * 1024 } as const;

/** One autoscaled service. */
export interface AutoscaleTarget {
  service: string;
  /** `requests-per-second` (per instance), `cpu` or `memory` (utilization, a fraction of the request). */
  metric: string;
  target: number;
  /** Instances in all, over its zones. */
  min: number;
  max: number;
  zones: readonly string[];
  /** Time a new instance takes to serve (the spec's start-up, scaled): scale-up starts them after it; default 0. */
  startupMs?: number;
}

/** What the autoscaler did last for a service, for a live view. */
export interface AutoscaleStatus {
  service: string;
  metric: string;
  target: number;
  /** The metric averaged over the ready instances, null when none reported. */
  value: number | null;
  current: number;
  desired: number;
  min: number;
  max: number;
}

/** What the autoscaler drives: the instances, the lost zones, and a way to set a zone's count. */
export interface Scalable {
  instances(): InstanceInfo[];
  lostZones(): string[];
  setInstances(service: string, zone: string, count: number): Promise<void>;
}

/** Options of {@link Autoscaler}. */
export interface AutoscalerOptions {
  targets: readonly AutoscaleTarget[];
  metrics: () => Map<string, InstanceMetrics>;
  scalable: Scalable;
  /** Default 5000 ms. */
  intervalMs?: number;
  /** A smaller count is applied only when every recommendation over this window was smaller; default 30000 ms. */
  scaleDownDelayMs?: number;
  /** No change while the metric is within this ratio of its target; default 0.1. */
  tolerance?: number;
  clock?: Clock;
  /** Called after a zone's count changed. */
  onScaled?: (event: { service: string; zone: string; from: number; to: number; at: number }) => void;
}

/**
 * The Kubernetes HorizontalPodAutoscaler's rule on local instances: every
 * `intervalMs`, desired = ceil(ready x average metric / target), held
 * within [min, max], no change inside the tolerance, scale-down only once
 * the whole `scaleDownDelayMs` window recommended it (the stabilization
 * window); the count is spread evenly over the service's zones that are
 * not lost, new instances started after the service's `startupMs`.
 *
 * @example
 * const autoscaler = new Autoscaler({ targets, metrics: () => poller.latest(), scalable });
 * autoscaler.start();
 * autoscaler.status(); // [{ service: "web", metric: "requests-per-second", value: 21.3, current: 8, desired: 9, ... }]
 * autoscaler.stop();
 */
export class Autoscaler {
  readonly #options: AutoscalerOptions;
  readonly #clock: Clock;
  readonly #history = new Map<string, { at: number; desired: number }[]>();
  readonly #status = new Map<string, AutoscaleStatus>();
  readonly #firstAt = new Map<string, number>();
  readonly #busy = new Set<string>();
  #loop: AbortController | undefined;

  constructor(options: AutoscalerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    for (const t of options.targets) {
      const current = t.min;
      this.#status.set(t.service, { ...statusBase(t), value: null, current, desired: current });
    }
  }

  start(): void {
    if (this.#loop || this.#options.targets.length === 0) return;
    const loop = new AbortController();
    this.#loop = loop;
    void (async () => {
      while (!loop.signal.aborted) {
        await this.#clock.sleep(this.#options.intervalMs ?? 5000, loop.signal).catch(() => {});
        if (loop.signal.aborted) return;
        await Promise.all(this.#options.targets.map((t) => this.evaluate(t).catch(() => {})));
      }
    })();
  }

  stop(): void {
    this.#loop?.abort();
  }

  status(): AutoscaleStatus[] {
    return [...this.#status.values()];
  }

  /** One decision for `target`, applied; returns the count chosen. */
  async evaluate(target: AutoscaleTarget): Promise<number> {
    const { scalable } = this.#options;
    const lost = new Set(scalable.lostZones());
    const zones = target.zones.filter((z) => !lost.has(z));
    const mine = scalable.instances().filter((i) => i.service === target.service && zones.includes(i.zone));
    const current = mine.length;
    const ready = mine.filter((i) => i.state === "ready");
    const metrics = this.#options.metrics();
    const values = ready.map((i) => metricOf(target.metric, metrics.get(i.id))).filter((v): v is number => v !== null);
    const value = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
    let desired = current;
    if (value !== null && ready.length > 0) {
      const ratio = value / target.target;
      if (Math.abs(ratio - 1) > (this.#options.tolerance ?? 0.1)) desired = Math.ceil(ready.length * ratio);
    }
    desired = Math.min(target.max, Math.max(target.min, desired));
    const now = this.#clock.now();
    const windowMs = this.#options.scaleDownDelayMs ?? 30_000;
    const firstAt = this.#firstAt.get(target.service) ?? now;
    this.#firstAt.set(target.service, firstAt);
    const history = (this.#history.get(target.service) ?? []).filter((h) => h.at > now - windowMs);
    history.push({ at: now, desired });
    this.#history.set(target.service, history);
    // Scale down only to the highest count recommended over a whole window.
    const highest = now - firstAt >= windowMs ? Math.max(...history.map((h) => h.desired)) : current;
    const count = desired >= current ? desired : Math.min(current, highest);
    this.#status.set(target.service, { ...statusBase(target), value, current, desired: count });
    if (count === current || zones.length === 0 || this.#busy.has(target.service)) return current;
    this.#busy.add(target.service);
    try {
      const perZone = spread(count, zones.length);
      // New instances serve only after their start-up time, as new machines would.
      if (count > current && (target.startupMs ?? 0) > 0) await this.#clock.sleep(target.startupMs as number);
      await Promise.all(
        zones.map(async (zone, i) => {
          const from = mine.filter((m) => m.zone === zone).length;
          const to = perZone[i] as number;
          if (from === to) return;
          await scalable.setInstances(target.service, zone, to);
          this.#options.onScaled?.({ service: target.service, zone, from, to, at: this.#clock.now() });
        }),
      );
    } finally {
      this.#busy.delete(target.service);
    }
    return count;
  }
}

function statusBase(t: AutoscaleTarget) {
  return { service: t.service, metric: t.metric, target: t.target, min: t.min, max: t.max };
}

function metricOf(metric: string, m: InstanceMetrics | undefined): number | null {
  if (!m) return null;
  if (metric === "requests-per-second") return m.requestsPerSecond;
  if (metric === "cpu") return m.cpu === null ? null : m.cpu / RESOURCE_REQUESTS.cpuCores;
  if (metric === "memory") return m.rssBytes === null ? null : m.rssBytes / RESOURCE_REQUESTS.memoryBytes;
  return null;
}

/** `count` spread over `zones` zones as evenly as possible, the first zones taking the remainder. */
export function spread(count: number, zones: number): number[] {
  const base = Math.floor(count / zones);
  return Array.from({ length: zones }, (_, i) => base + (i < count % zones ? 1 : 0));
}
