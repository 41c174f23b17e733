import type { Clock } from "@nines/core";
import type { DrillSystem } from "./drill-system.js";

/** The system as sampled once a second during a scenario. */
export interface SystemSample {
  at: number;
  /** Instances ready, per zone (every service). */
  ready: Record<string, number>;
  /** Requests each service's balancer has received since the start (its callers' attempts included). */
  requests: Record<string, number>;
}

/**
 * Samples a running system every `intervalMs` until stopped: instances
 * ready per zone (the timeline's "instances up") and each balancer's
 * request counter (the dependency's side of a retry storm's amplification).
 *
 * @example
 * const sampler = new SystemSampler(system, { clock });
 * sampler.start();
 * // ... the scenario ...
 * const samples = await sampler.stop();
 */
export class SystemSampler {
  readonly #system: DrillSystem;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #samples: SystemSample[] = [];
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();

  constructor(system: DrillSystem, options: { clock: Clock; intervalMs?: number }) {
    this.#system = system;
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Takes one sample now. */
  sample(): SystemSample {
    const snapshot = this.#system.snapshot();
    const ready: Record<string, number> = {};
    for (const zone of snapshot.zones) ready[zone.zone] = 0;
    const requests: Record<string, number> = {};
    for (const service of snapshot.services) {
      requests[service.name] = service.requests;
      for (const i of service.instances) if (i.state === "ready") ready[i.zone] = (ready[i.zone] ?? 0) + 1;
    }
    const s = { at: this.#clock.now(), ready, requests };
    this.#samples.push(s);
    return s;
  }

  /** Stops sampling (after a last sample) and returns every sample, in time order. */
  async stop(): Promise<SystemSample[]> {
    this.#stop.abort();
    await this.#loop;
    this.sample();
    return this.#samples;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.sample();
      await this.#clock.sleep(this.#intervalMs, this.#stop.signal).catch(() => {});
    }
  }
}

/**
 * A counter's value at `at`, linearly interpolated between the samples
 * around it (the first or last sample outside their span).
 *
 * @example
 * counterAt(samples, faultAt, (s) => s.requests["inventory"] ?? 0);
 */
export function counterAt(samples: readonly SystemSample[], at: number, read: (s: SystemSample) => number): number {
  if (samples.length === 0) return 0;
  let before = samples[0] as SystemSample;
  if (at <= before.at) return read(before);
  for (const s of samples) {
    if (s.at >= at) {
      const span = s.at - before.at;
      return span <= 0 ? read(s) : read(before) + ((read(s) - read(before)) * (at - before.at)) / span;
    }
    before = s;
  }
  return read(before);
}
