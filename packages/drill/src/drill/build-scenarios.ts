import { requireKnownOptions } from "@nines/core";
import type { Disaster, PlanResult, Service, Spec } from "@nines/planner";
import { availabilityWithDown } from "@nines/planner";
import type { FaultMode } from "../fault/fault-mode.js";
import {
  SCENARIO_KINDS,
  type Scenario,
  type ScenarioDisaster,
  type ScenarioKind,
  type ScenarioTimeline,
} from "./scenario.js";

/** Options of {@link buildScenarios}. */
export interface BuildScenariosOptions {
  /** Start-up times are divided by it, as `nines up --scale` runs them; default 1. */
  timeScale?: number;
  /** Overrides of the default timelines, per kind (tests use shorter ones). */
  timelines?: Partial<Record<ScenarioKind, Partial<ScenarioTimeline>>>;
  /** The service the workload's query of death crashes; without it the scenario targets the busiest dependency. */
  queryOfDeathService?: string;
}

/** Engines `nines up` runs as PostgreSQL, whose primary a drill can crash. */
const POSTGRES_ENGINES = new Set(["postgres", "cloud-sql"]);

/** The faults of the dependency scenarios (docs/drill.md, "Scenarios"). */
export const DEPENDENCY_FAULTS: readonly { name: string; fault: FaultMode; title: string }[] = [
  { name: "latency", fault: { kind: "latency", delayMs: 400 }, title: "answers 400 ms slower" },
  { name: "errors", fault: { kind: "error", status: 503, ratio: 0.5 }, title: "answers half its requests 503" },
  { name: "blackhole", fault: { kind: "blackhole" }, title: "stops answering (connections hang)" },
  { name: "bandwidth", fault: { kind: "bandwidth", bytesPerSecond: 16_384 }, title: "is limited to 16 KiB/s" },
];

/** The fault of a retry storm: every request to the dependency fails while it lasts. */
export const RETRY_STORM_FAULT: FaultMode = { kind: "error", status: 503, ratio: 1 };

/**
 * The drill's scenarios for a spec: the spec's `disasters` and the standard
 * set (docs/drill.md, "Scenarios"), one per name, named `<kind>-<target>`
 * as the Chaos Mesh export names them. A disaster that drills the same
 * fault as a standard scenario replaces it and brings its RPO and RTO
 * objectives. Targets of the standard set:
 * - instance loss: the first instance of the journeys' service with the
 *   least headroom that still carries its load without one instance;
 * - zone loss: the zone the plan's `zone-loss-overload` names, else the
 *   zone running the most instances;
 * - region loss (when services span regions): the region whose loss the
 *   plan predicts the journeys survive, else the first;
 * - database crash: each PostgreSQL store with a replica;
 * - deletion: each store with lazy deletion, else the first user-data store with backups;
 * - query of death, dependency faults and the retry storm: the entry's
 *   required dependency with the highest load.
 *
 * @example
 * const scenarios = buildScenarios(spec, analyze(spec), { timeScale: 10 });
 * scenarios.map((s) => s.name); // ["instance-loss-inventory", "zone-loss-us-central1-a", ...]
 */
export function buildScenarios(spec: Spec, plan: PlanResult, options: BuildScenariosOptions = {}): Scenario[] {
  requireKnownOptions("buildScenarios", options, ["timeScale", "timelines", "queryOfDeathService"]);
  const timeScale = options.timeScale ?? 1;
  const startupMs = (s: Service) => Math.round((s.startupMs ?? 0) / timeScale);
  const slowestStart = Math.max(0, ...spec.services.map(startupMs));
  const timeline = (kind: ScenarioKind, base: ScenarioTimeline): ScenarioTimeline => ({
    ...base,
    ...options.timelines?.[kind],
  });
  const byName = new Map<string, Scenario>();
  const add = (s: Omit<Scenario, "disaster">, disaster: ScenarioDisaster | null = null) => {
    const existing = byName.get(s.name);
    if (existing === undefined) byName.set(s.name, { ...s, disaster });
    else if (disaster !== null && existing.disaster === null)
      byName.set(s.name, { ...existing, disaster, title: s.title });
  };

  // The spec's disasters first, so that their objectives win.
  for (const d of spec.disasters) {
    const s = fromDisaster(spec, d);
    if (s === null) continue;
    const objective = { scenario: d.scenario, index: d.index, rpoMs: d.rpoMs, rtoMs: d.rtoMs };
    add({ ...s, title: d.scenario, timeline: timeline(s.kind, defaultTimeline(s.kind, slowestStart)) }, objective);
  }

  const instanceTarget = instanceLossService(spec);
  if (instanceTarget !== null) {
    const id = `${instanceTarget.name}-${instanceTarget.zones[0]}-0`;
    add({
      name: `instance-loss-${instanceTarget.name}`,
      kind: "instance-loss",
      target: id,
      title: `kill instance ${id}`,
      timeline: timeline("instance-loss", {
        warmupMs: 4000,
        faultMs: startupMs(instanceTarget) + 6000,
        observeMs: 4000,
      }),
    });
  }
  const zone = zoneLossTarget(spec, plan);
  if (zone !== null) {
    add({
      name: `zone-loss-${zone}`,
      kind: "zone-loss",
      target: zone,
      title: `lose zone ${zone} (instances killed, network cut)`,
      timeline: timeline("zone-loss", defaultTimeline("zone-loss", slowestStart)),
    });
  }
  const region = regionLossTarget(spec);
  if (region !== null) {
    add({
      name: `region-loss-${region}`,
      kind: "region-loss",
      target: region,
      title: `lose region ${region}`,
      timeline: timeline("region-loss", defaultTimeline("region-loss", slowestStart)),
    });
  }
  for (const store of spec.stores) {
    if (!POSTGRES_ENGINES.has(store.engine) || store.replica === null) continue;
    add({
      name: `db-crash-${store.name}`,
      kind: "db-crash",
      target: store.name,
      title: `crash the primary of ${store.name}`,
      timeline: timeline("db-crash", defaultTimeline("db-crash", slowestStart)),
    });
  }
  const lazy = spec.stores.filter((s) => s.deletion !== null);
  const drilled = [...byName.values()].some((s) => s.kind === "deletion");
  const deletable =
    lazy.length > 0 || drilled ? lazy : spec.stores.filter((s) => s.userData && s.backups !== null).slice(0, 1);
  for (const store of deletable) {
    add({
      name: `deletion-${store.name}`,
      kind: "deletion",
      target: store.name,
      title: `delete ${store.name}'s data by mistake, then recover it`,
      timeline: timeline("deletion", defaultTimeline("deletion", slowestStart)),
    });
  }
  const dependency = busiestDependency(spec);
  const qodService = options.queryOfDeathService ?? dependency;
  if (qodService !== null) {
    add({
      name: `query-of-death-${qodService}`,
      kind: "query-of-death",
      target: qodService,
      title: `send ${qodService} a request that crashes it`,
      timeline: timeline("query-of-death", defaultTimeline("query-of-death", slowestStart)),
    });
  }
  if (dependency !== null) {
    for (const f of DEPENDENCY_FAULTS) {
      add({
        name: `dependency-${f.name}-${dependency}`,
        kind: "dependency-fault",
        target: dependency,
        title: `${dependency} ${f.title}`,
        fault: f.fault,
        timeline: timeline("dependency-fault", defaultTimeline("dependency-fault", slowestStart)),
      });
    }
    for (const callers of ["spec", "naive"] as const) {
      add({
        name: `retry-storm-${dependency}${callers === "naive" ? "-naive" : ""}`,
        kind: "retry-storm",
        target: dependency,
        title:
          callers === "spec"
            ? `${dependency} fails every request; callers keep the spec's policies`
            : `${dependency} fails every request; callers retry at once, without backoff, breaker or budget`,
        fault: RETRY_STORM_FAULT,
        callers,
        timeline: timeline("retry-storm", defaultTimeline("retry-storm", slowestStart)),
      });
    }
  }
  const order = (s: Scenario) => SCENARIO_KINDS.indexOf(s.kind);
  return [...byName.values()].sort((a, b) => order(a) - order(b));
}

/** The default timeline of a kind; zone and region losses observe long enough to see the return and a 5 s hold. */
function defaultTimeline(kind: ScenarioKind, slowestStartMs: number): ScenarioTimeline {
  switch (kind) {
    case "zone-loss":
    case "region-loss":
      return { warmupMs: 4000, faultMs: 15_000, observeMs: Math.max(16_000, slowestStartMs + 12_000) };
    case "db-crash":
      return { warmupMs: 4000, faultMs: 10_000, observeMs: 6000 };
    case "deletion":
      return { warmupMs: 3000, faultMs: 3000, observeMs: 6000 };
    case "query-of-death":
      return { warmupMs: 3000, faultMs: 10_000, observeMs: 6000 };
    case "dependency-fault":
      return { warmupMs: 3000, faultMs: 10_000, observeMs: 8000 };
    case "retry-storm":
      return { warmupMs: 3000, faultMs: 10_000, observeMs: 15_000 };
    default:
      return { warmupMs: 4000, faultMs: slowestStartMs + 6000, observeMs: 4000 };
  }
}

/** The scenario a spec disaster drills (kind, target, name), or null when a drill has no such fault. */
function fromDisaster(spec: Spec, d: Disaster): Pick<Scenario, "name" | "kind" | "target"> | null {
  if (d.subjectKind === "store") {
    const store = spec.stores.find((s) => s.name === d.subject);
    if (store === undefined) return null;
    switch (d.kind) {
      case "crash":
        return { name: `db-crash-${store.name}`, kind: "db-crash", target: store.name };
      case "deletion":
        return { name: `deletion-${store.name}`, kind: "deletion", target: store.name };
      case "zone-outage":
        return store.zone === null ? null : { name: `zone-loss-${store.zone}`, kind: "zone-loss", target: store.zone };
      case "region-outage": {
        const region = store.zone === null ? store.location : regionOf(spec, store.zone);
        return region === null || !spec.platform.regions.some((r) => r.name === region)
          ? null
          : { name: `region-loss-${region}`, kind: "region-loss", target: region };
      }
    }
  }
  const service = spec.services.find((s) => s.name === d.subject);
  if (service === undefined || service.zones.length === 0) return null;
  switch (d.kind) {
    case "crash":
      return {
        name: `instance-loss-${service.name}`,
        kind: "instance-loss",
        target: `${service.name}-${service.zones[0]}-0`,
      };
    case "zone-outage":
      return { name: `zone-loss-${service.zones[0]}`, kind: "zone-loss", target: service.zones[0] as string };
    case "region-outage": {
      const region = regionOf(spec, service.zones[0] as string);
      return region === null ? null : { name: `region-loss-${region}`, kind: "region-loss", target: region };
    }
    default:
      return null;
  }
}

function regionOf(spec: Spec, zone: string): string | null {
  return spec.platform.regions.find((r) => r.zones.includes(zone))?.name ?? null;
}

/** Services the journeys go through (entries and what they call), in spec order. */
function journeyServices(spec: Spec): Service[] {
  const names = new Set<string>();
  const visit = (name: string) => {
    if (names.has(name)) return;
    const service = spec.services.find((s) => s.name === name);
    if (service === undefined) return;
    names.add(name);
    for (const c of service.calls) if (c.targetKind === "service" && !c.optional) visit(c.target);
  };
  for (const j of spec.journeys) visit(j.entry);
  const list = spec.services.filter((s) => names.has(s.name));
  return list.length > 0 ? list : spec.services;
}

function instanceLossService(spec: Spec): Service | null {
  const candidates = journeyServices(spec)
    .filter((s) => s.zones.length * s.instances >= 2 && s.load > 0)
    .filter((s) => (s.zones.length * s.instances - 1) * s.capacity >= s.load)
    .sort((a, b) => headroom(a) - headroom(b));
  return candidates[0] ?? journeyServices(spec)[0] ?? null;
}

function headroom(s: Service): number {
  return (s.zones.length * s.instances * s.capacity) / s.load;
}

function zoneLossTarget(spec: Spec, plan: PlanResult): string | null {
  const overload = plan.findings
    .filter((f) => f.rule === "zone-loss-overload" && typeof f["zone"] === "string")
    .sort((a, b) => Number(b["ratio"]) - Number(a["ratio"]))[0];
  if (overload) return overload["zone"] as string;
  const count = new Map<string, number>();
  for (const s of spec.services) for (const z of s.zones) count.set(z, (count.get(z) ?? 0) + s.instances);
  let best: string | null = null;
  for (const [zone, n] of count) if (best === null || n > (count.get(best) ?? 0)) best = zone;
  return best;
}

function regionLossTarget(spec: Spec): string | null {
  const used = spec.platform.regions.filter((r) => spec.services.some((s) => s.zones.some((z) => r.zones.includes(z))));
  if (used.length < 2) return null;
  const survivable = used.find((r) => {
    const { journeys } = availabilityWithDown(spec, { regions: [r.name] });
    return journeys.length > 0 && journeys.every((j) => j.availability > 0);
  });
  return (survivable ?? used[0])?.name ?? null;
}

/** The entry's required service dependency with the highest load (what a slow dependency hurts most). */
function busiestDependency(spec: Spec): string | null {
  const entries = new Set(spec.journeys.map((j) => j.entry));
  const entry = spec.services.find((s) => entries.has(s.name)) ?? spec.services[0];
  if (entry === undefined) return null;
  const deps = entry.calls
    .filter((c) => c.targetKind === "service" && !c.optional)
    .map((c) => spec.services.find((s) => s.name === c.target))
    .filter((s): s is Service => s !== undefined)
    .sort((a, b) => b.load - a.load);
  return deps[0]?.name ?? null;
}
