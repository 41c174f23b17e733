import type { SimClock } from "../engine/sim-clock.js";
import type { SimInstance } from "./instance.js";
import type { SimPlatform } from "./platform.js";
import type { SimNode, SimService } from "./sim-service.js";

/** Options of {@link SimAutoscaler}, with the defaults of `nines up`'s autoscaler. */
export interface SimAutoscalerOptions {
  /** How often it decides (default 5000 ms). */
  intervalMs?: number;
  /** A smaller count is applied only when every decision over this window was smaller (default 30,000 ms). */
  scaleDownDelayMs?: number;
  /** No change while the metric is within this ratio of its target (default 0.1). */
  tolerance?: number;
}

interface Reading {
  handled: number;
  busyMs: number;
}

/**
 * The Kubernetes HorizontalPodAutoscaler's rule, as `nines up` applies it,
 * on one simulated service with a spec `autoscale`: every `intervalMs`,
 * desired = ceil(ready x average metric / target), held within [min, max]
 * (`min` defaults to the spec's instances x zones), no change inside the
 * tolerance, scale-down only once a whole `scaleDownDelayMs` window
 * recommended it; the count is spread evenly over the service's zones that
 * are up. New instances serve after the spec's `startupMs` and join the
 * rotation once a health check passes. Metrics: `requests-per-second` per
 * instance, and `cpu` as the busy share of the instance's workers; other
 * metrics are not simulated (no scaling).
 *
 * @example
 * new SimAutoscaler(service, platform, clock, {}).start();
 */
export class SimAutoscaler {
  readonly #service: SimService;
  readonly #platform: SimPlatform;
  readonly #clock: SimClock;
  readonly #intervalMs: number;
  readonly #scaleDownDelayMs: number;
  readonly #tolerance: number;
  readonly #workers: number;
  readonly #readings = new Map<SimInstance, Reading>();
  readonly #history: { at: number; desired: number }[] = [];
  #startedAt = 0;

  constructor(service: SimService, platform: SimPlatform, clock: SimClock, options: SimAutoscalerOptions) {
    this.#service = service;
    this.#platform = platform;
    this.#clock = clock;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#scaleDownDelayMs = options.scaleDownDelayMs ?? 30_000;
    this.#tolerance = options.tolerance ?? 0.1;
    this.#workers = service.model.workers;
  }

  /** True when the spec asks for autoscaling on a metric the simulation has. */
  static applies(service: SimService): boolean {
    const metric = service.spec.autoscale?.metric;
    return metric === "requests-per-second" || metric === "cpu";
  }

  start(): void {
    this.#startedAt = this.#clock.now();
    const tick = (): void => {
      this.#decide();
      this.#clock.scheduleSync(this.#intervalMs, tick);
    };
    this.#clock.scheduleSync(this.#intervalMs, tick);
  }

  #decide(): void {
    const service = this.#service;
    const autoscale = service.spec.autoscale;
    if (autoscale === null) return;
    const zones = service.spec.zones.filter((zone) => this.#platform.zoneUp(zone));
    const mine = service.nodes.filter((node) => zones.includes(node.zone));
    const current = mine.length;
    let sum = 0;
    let ready = 0;
    for (const node of mine) {
      const value = this.#metric(node.instance);
      if (value === undefined || !node.instance.up) continue;
      sum += value;
      ready++;
    }
    let desired = current;
    if (ready > 0) {
      const ratio = sum / ready / autoscale.target;
      if (Math.abs(ratio - 1) > this.#tolerance) desired = Math.ceil(ready * ratio);
    }
    const min = autoscale.min ?? service.spec.instances * service.spec.zones.length;
    desired = Math.min(autoscale.max, Math.max(min, desired));
    const now = this.#clock.now();
    const history = this.#history;
    while (history.length > 0 && (history[0] as { at: number }).at <= now - this.#scaleDownDelayMs) history.shift();
    history.push({ at: now, desired });
    // Scale down only to the highest count recommended over a whole window.
    const highest =
      now - this.#startedAt >= this.#scaleDownDelayMs ? Math.max(...history.map((h) => h.desired)) : current;
    const count = desired >= current ? desired : Math.min(current, highest);
    if (count === current || zones.length === 0) return;
    const base = Math.floor(count / zones.length);
    zones.forEach((zone, i) => {
      const want = base + (i < count % zones.length ? 1 : 0);
      const here = mine.filter((node) => node.zone === zone);
      for (let n = here.length; n < want; n++) service.addInstance(zone, service.spec.startupMs ?? 0);
      // The newest go first: they are the ones most likely still starting.
      for (let n = here.length; n > want; n--) this.#remove(here[n - 1] as SimNode);
    });
  }

  /** The instance's metric since the last decision; undefined at its first reading. */
  #metric(instance: SimInstance): number | undefined {
    const reading = { handled: instance.handled, busyMs: instance.busyWorkerMs() };
    const last = this.#readings.get(instance);
    this.#readings.set(instance, reading);
    if (last === undefined) return undefined;
    if (this.#service.spec.autoscale?.metric === "cpu") {
      return (reading.busyMs - last.busyMs) / (this.#intervalMs * this.#workers);
    }
    return ((reading.handled - last.handled) * 1000) / this.#intervalMs;
  }

  #remove(node: SimNode): void {
    this.#readings.delete(node.instance);
    this.#service.removeInstance(node);
  }
}
