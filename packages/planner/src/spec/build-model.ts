import type { BackupLocation, Call, RunSpec, Service, SourceLocation, Spec, Standby, Store } from "../model.js";
import { catalogAvailability, catalogEntry } from "./catalog.js";
import { classifyStore } from "./check-stores.js";
import { DRAIN_DEFAULTS, HEALTH_PATHS, REPLICATE_INTERVAL_MS } from "./defaults.js";
import type { SchemaOutput } from "./schema.js";
import { parsePercent } from "./values.js";

type StandbyInput = { kind: "cold" | "hot"; region: string; provision?: number | undefined } | undefined;
type ServiceInput = SchemaOutput["services"][string];

/**
 * Turns a spec that passed every check into the planner's model: fills the
 * defaults and the catalog figures, resolves names to kinds. Only called on
 * valid input (the checks guarantee every lookup below succeeds).
 */
export function buildModel(input: SchemaOutput, file: string, locations: Map<string, SourceLocation>): Spec {
  const regions = Object.entries(input.platform.regions).map(([name, zones]) => ({ name, zones }));
  const regionNames = new Set(regions.map((r) => r.name));
  const storeNames = new Set(Object.keys(input.stores));
  const defaultObjective = input.objectives.availability ?? null;

  const services = Object.entries(input.services).map(([name, s]): Service => {
    const calls = Object.entries(s.calls ?? {}).map(([target, c]): Call => {
      const call = c ?? { optional: false, retries: 0, jitter: false, breaker: false };
      return {
        target,
        targetKind: storeNames.has(target) ? "store" : "service",
        optional: call.optional,
        retries: call.retries,
        backoff: call.backoff ?? null,
        jitter: call.jitter,
        breaker: call.breaker,
        budget: call.budget ?? null,
        timeoutMs: call.timeout ?? null,
      };
    });
    const autoscale = s.autoscale
      ? {
          metric: s.autoscale.metric,
          target:
            s.autoscale.metric === "requests-per-second"
              ? Number(s.autoscale.target)
              : (parsePercent(s.autoscale.target) as { value: number }).value,
          max: s.autoscale.max,
          min: s.autoscale.min ?? null,
        }
      : null;
    return {
      kind: "service",
      name,
      zones: s.zones,
      instances: s.instances,
      capacity: s.capacity,
      load: s.load,
      unit: s.unit,
      health: s.health
        ? { check: s.health.check ?? null, dependencies: s.health.dependencies, autoheal: s.health.autoheal }
        : { check: null, dependencies: false, autoheal: false },
      startupMs: s.startup ?? null,
      autoscale,
      calls,
      standby: standby(s.standby),
      cost: s.cost ?? null,
      drain: {
        delayMs: s.drain?.delay ?? DRAIN_DEFAULTS.delayMs,
        graceMs: s.drain?.grace ?? DRAIN_DEFAULTS.graceMs,
        cleanupTimeoutMs: s.drain?.cleanup ?? DRAIN_DEFAULTS.cleanupTimeoutMs,
      },
      run: run(s),
    };
  });

  const backupLocation = (at: string): BackupLocation =>
    regionNames.has(at) ? { kind: "region", region: at } : ({ kind: at } as BackupLocation);

  const stores = Object.entries(input.stores).map(([name, s]): Store => {
    const kind = classifyStore(s as unknown as Record<string, unknown>);
    let managed = s.sla !== undefined;
    let sla = s.sla ?? null;
    let location: string | null = null;
    if (kind === "catalog") {
      location = s.location ?? null;
      managed = true;
      sla ??= catalogAvailability(s.engine, location ?? "", regionNames.has(location ?? "")) ?? null;
    } else if (kind === "cloud-sql" && s.replica) {
      managed = true;
      sla ??= catalogEntry("cloud-sql")?.highAvailability ?? null;
    } else if (kind === "explicit-sla") {
      location = s.location ?? null;
    }
    const backups = s.backups
      ? {
          intervalMs: s.backups.every,
          at: backupLocation(s.backups.at),
          restoreMs: s.backups.restore,
          tested: s.backups.tested ?? null,
        }
      : null;
    // A log without backups and without its own `at` has no location and recovers nothing: no log.
    let log: Store["log"] = null;
    if (typeof s.log === "number") log = backups ? { intervalMs: s.log, at: backups.at } : null;
    else if (s.log?.at !== undefined) log = { intervalMs: s.log.every, at: backupLocation(s.log.at) };
    else if (s.log && backups) log = { intervalMs: s.log.every, at: backups.at };
    return {
      kind: "store",
      name,
      engine: s.engine,
      managed,
      location,
      sla,
      zone: s.zone ?? null,
      replica: s.replica
        ? {
            zone: s.replica.zone,
            sync: s.replica.sync,
            lagMs: s.replica.sync ? 0 : (s.replica.lag ?? 0),
            failoverMs: s.replica.failover,
          }
        : null,
      backups,
      log,
      userData: s.userData,
      deletion: s.deletion
        ? { trashMs: s.deletion.trash ?? 0, softMs: s.deletion.soft ?? 0, restoreMs: s.deletion.restore }
        : null,
      rebuildMs: s.rebuild ?? null,
      standby: standby(s.standby),
      replicate: s.replicate
        ? {
            at: (Array.isArray(s.replicate.at) ? s.replicate.at : [s.replicate.at]).map(backupLocation),
            intervalMs: s.replicate.interval ?? REPLICATE_INTERVAL_MS,
            restoreMs: s.replicate.restore,
          }
        : null,
      cost: s.cost ?? 0,
    };
  });

  return {
    name: input.name,
    file,
    objectives: { availability: defaultObjective, maxRetryAmplification: input.objectives.maxRetryAmplification },
    platform: { regions, availability: input.platform.availability },
    edge: Object.entries(input.edge).map(([name, e]) => {
      const where = e.location ?? "global";
      return {
        kind: "edge" as const,
        name,
        engine: e.engine,
        availability: e.sla ?? catalogAvailability(e.engine, where, regionNames.has(where)) ?? 1,
        location: where,
        cost: e.cost ?? 0,
      };
    }),
    services,
    stores,
    journeys: Object.entries(input.journeys).map(([name, j]) => ({
      name,
      via: j.via ?? null,
      entry: j.entry,
      objective: j.availability ?? defaultObjective,
    })),
    disasters: input.disasters.map((d, index) => ({
      subjectKind: d.store !== undefined ? ("store" as const) : ("service" as const),
      subject: (d.store ?? d.service)!,
      scenario: d.scenario,
      kind: d.kind,
      rpoMs: d.rpo ?? 0,
      rtoMs: d.rto,
      priority: d.priority,
      via: d.via ?? "application",
      index,
    })),
    costs: { currency: input.costs.currency, instance: input.costs.instance, downtimePerHour: input.costs.downtime },
    locations,
  };
}

function standby(input: StandbyInput): Standby | null {
  return input ? { kind: input.kind, region: input.region, provisionMs: input.provision ?? 0 } : null;
}

/** The `run` section with its defaults; a command written as one string is split on spaces (no shell). */
function run(service: ServiceInput): RunSpec | null {
  const r = service.run;
  if (r === undefined) return null;
  return {
    command: typeof r.command === "string" ? r.command.trim().split(/\s+/) : [...r.command],
    port: r.port,
    env: Object.fromEntries(Object.entries(r.env ?? {}).map(([k, v]) => [k, String(v)])),
    health: {
      liveness: r.health?.liveness ?? HEALTH_PATHS.liveness,
      readiness: service.health?.check ?? HEALTH_PATHS.readiness,
      startup: r.health?.startup ?? HEALTH_PATHS.startup,
    },
    cwd: r.cwd ?? null,
  };
}
