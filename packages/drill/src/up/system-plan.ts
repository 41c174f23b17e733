import { resolve } from "node:path";
import { requireOption } from "@nines/core";
import { catalogEntry, type Service, type Spec, type Store } from "@nines/planner";
import { DRILL_ERRORS, DrillError } from "../errors.js";

/** How one service runs locally: the spec's figures, scaled. */
export interface PlannedService {
  name: string;
  command: string;
  args: string[];
  /** Absolute working directory. */
  cwd: string;
  portVariable: string;
  /** The spec's `run.env`. */
  env: Record<string, string>;
  readinessPath: string;
  livenessPath: string;
  zones: string[];
  instancesPerZone: number;
  /** Requests per second one instance serves at most: the spec's `capacity / scale` (`NINES_CAPACITY`). */
  capacity: number;
  /** Peak requests per second offered: the spec's `load / scale` (for a load generator). */
  load: number;
  /** Wait before a lost instance is replaced: the spec's `startupMs / timeScale` (0 without one). */
  replaceDelayMs: number;
  /** The drain timeline, divided by `timeScale` (`NINES_DRAIN_*_MS`). */
  drain: { delayMs: number; graceMs: number; cleanupTimeoutMs: number };
  /** Replace instances that crash or fail liveness (the spec's `health.autoheal`). */
  autoheal: boolean;
  /** The spec's calls as the instance reads them (`NINES_CALLS`). */
  calls: PlannedCall[];
  /** Services it calls (each gets `<NAME>_URL`). */
  dependencies: string[];
  /** Stores it calls. */
  stores: string[];
  /** Zones from which other services call it: one balancer listener each. */
  callerZones: string[];
  /** Autoscaling, the rate target divided by `scale`; null without `autoscale`. */
  autoscale: { metric: string; target: number; min: number; max: number } | null;
}

/** One call description, as `NINES_CALLS` carries it (`@nines/resilience`'s `CallDescription`). */
export interface PlannedCall {
  target: string;
  optional: boolean;
  retries: number;
  backoff: string | null;
  jitter: boolean;
  breaker: boolean;
  budget: number | null;
  timeoutMs: number | null;
}

/**
 * How one store runs locally: PostgreSQL (a primary, and a standby when the
 * spec has a replica) in its zones, or SQLite: one file outside every zone
 * for a managed engine (the catalog says it survives a zone's loss), one
 * file per zone for a placed `sqlite` store.
 */
export type PlannedStore =
  | {
      kind: "postgres";
      name: string;
      engine: string;
      primaryZone: string;
      standbyZone: string | null;
      synchronous: boolean;
    }
  | { kind: "sqlite"; name: string; engine: string; perZone: boolean };

/** Where the journeys come in: the entry service's front door. */
export interface PlannedEntry {
  service: string;
  /** The edge component the journeys come through, null when none. */
  via: string | null;
  journeys: string[];
}

/** Everything `up()` starts, derived from the spec and the scales. */
export interface SystemPlan {
  name: string;
  scale: number;
  timeScale: number;
  /** Every declared zone with its region, in spec order. */
  zones: { zone: string; region: string }[];
  services: PlannedService[];
  stores: PlannedStore[];
  entries: PlannedEntry[];
}

/** Engines run as PostgreSQL. */
const POSTGRES_ENGINES = new Set(["postgres", "cloud-sql"]);

/**
 * Turns the planner's model into what runs locally, with loads and
 * capacities divided by `scale` (so load / capacity, and the overload after
 * a zone's loss, stay the plan's) and start-up and drain times divided by
 * `timeScale`. Throws {@link DRILL_ERRORS.notRunnable} for a service without a
 * `run` section or a store engine that cannot run locally.
 *
 * @example
 * const plan = planSystem(loadSpec("examples/clicktravel/nines.yaml"), { scale: 20, timeScale: 10, specDir: "examples/clicktravel" });
 * plan.services.find((s) => s.name === "web")?.capacity; // 25 (500 / 20)
 */
export function planSystem(spec: Spec, options: { scale: number; timeScale: number; specDir: string }): SystemPlan {
  const { scale, timeScale } = options;
  requireOption(Number.isFinite(scale) && scale >= 1, "up", "scale", scale, "a number >= 1");
  requireOption(Number.isFinite(timeScale) && timeScale >= 1, "up", "timeScale", timeScale, "a number >= 1");
  const zones = spec.platform.regions.flatMap((r) => r.zones.map((zone) => ({ zone, region: r.name })));
  const stores = spec.stores.map((store) => planStore(store, zones[0]?.zone ?? "local"));
  const services = spec.services.map((service) => planService(service, spec, options));
  const entries = planEntries(spec);
  return { name: spec.name, scale, timeScale, zones, services, stores, entries };
}

function planService(
  service: Service,
  spec: Spec,
  options: { scale: number; timeScale: number; specDir: string },
): PlannedService {
  const run = service.run;
  if (!run || run.command.length === 0) {
    throw new DrillError(DRILL_ERRORS.notRunnable, `up: service "${service.name}" has no run section`, {
      hint: `add run: { command: [node, server.js] } to services.${service.name} (docs/spec.md, "Extensions")`,
    });
  }
  const { scale, timeScale } = options;
  const callers = spec.services.filter((s) => s.calls.some((c) => c.target === service.name));
  const a = service.autoscale;
  return {
    name: service.name,
    command: run.command[0] as string,
    args: run.command.slice(1),
    cwd: resolve(options.specDir, run.cwd ?? "."),
    portVariable: run.port,
    env: { ...run.env },
    readinessPath: run.health.readiness,
    livenessPath: run.health.liveness,
    zones: [...service.zones],
    instancesPerZone: service.instances,
    capacity: service.capacity / scale,
    load: service.load / scale,
    replaceDelayMs: Math.round((service.startupMs ?? 0) / timeScale),
    drain: {
      delayMs: Math.round(service.drain.delayMs / timeScale),
      graceMs: Math.round(service.drain.graceMs / timeScale),
      cleanupTimeoutMs: Math.round(service.drain.cleanupTimeoutMs / timeScale),
    },
    autoheal: service.health.autoheal,
    calls: service.calls.map((c) => ({
      target: c.target,
      optional: c.optional,
      retries: c.retries,
      backoff: c.backoff,
      jitter: c.jitter,
      breaker: c.breaker,
      budget: c.budget,
      timeoutMs: c.timeoutMs,
    })),
    dependencies: service.calls.filter((c) => c.targetKind === "service").map((c) => c.target),
    stores: service.calls.filter((c) => c.targetKind === "store").map((c) => c.target),
    callerZones: [...new Set(callers.flatMap((c) => c.zones))],
    autoscale: a
      ? {
          metric: a.metric,
          target: a.metric === "requests-per-second" ? a.target / scale : a.target,
          min: a.min ?? service.instances * service.zones.length,
          max: a.max,
        }
      : null,
  };
}

function planStore(store: Store, firstZone: string): PlannedStore {
  if (POSTGRES_ENGINES.has(store.engine)) {
    return {
      kind: "postgres",
      name: store.name,
      engine: store.engine,
      primaryZone: store.zone ?? firstZone,
      standbyZone: store.replica?.zone ?? null,
      synchronous: store.replica?.sync ?? true,
    };
  }
  if (store.engine === "sqlite" && store.zone !== null) {
    return { kind: "sqlite", name: store.name, engine: store.engine, perZone: true };
  }
  if (store.managed || catalogEntry(store.engine)) {
    return { kind: "sqlite", name: store.name, engine: store.engine, perZone: false };
  }
  throw new DrillError(
    DRILL_ERRORS.notRunnable,
    `up: store "${store.name}" (engine ${store.engine}) cannot run locally`,
    {
      hint: "nines up runs postgres and cloud-sql as PostgreSQL, sqlite as a file per zone, and the catalog's managed engines as one SQLite file; change the engine or run the system with nines k8s",
    },
  );
}

function planEntries(spec: Spec): PlannedEntry[] {
  const entries = new Map<string, PlannedEntry>();
  for (const journey of spec.journeys) {
    const entry = entries.get(journey.entry) ?? { service: journey.entry, via: journey.via, journeys: [] };
    entry.journeys.push(journey.name);
    entries.set(journey.entry, entry);
  }
  if (entries.size > 0) return [...entries.values()];
  // Without journeys, the services nobody calls are where requests come in.
  const called = new Set(spec.services.flatMap((s) => s.calls.map((c) => c.target)));
  const roots = spec.services.filter((s) => !called.has(s.name));
  return (roots.length > 0 ? roots : spec.services.slice(0, 1)).map((s) => ({
    service: s.name,
    via: null,
    journeys: [],
  }));
}
