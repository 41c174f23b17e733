import {
  analyze,
  availabilityWithDown,
  type DisasterResult,
  type DurabilityResult,
  fromSeconds,
  type PlanResult,
  type Service,
  type Spec,
  type Threat,
} from "@nines/planner";
import type { Scenario } from "./scenario.js";

/**
 * What the plan predicts for a scenario (docs/drill.md, "Predictions").
 * Durations in ms; restarts scaled by the run's `timeScale` (as `nines up`
 * replaces instances), store recoveries as the spec gives them.
 *
 * @example
 * predictScenario(spec, plan, zoneLoss, { timeScale: 10 }).overload; // [{ service: "inventory", ratio: 1.125 }]
 */
export interface Prediction {
  /** Which of the plan's figures it reads, for people. */
  basis: string;
  /** Lowest journey availability in the planner's model with the scenario's zone or region down; null for other kinds. */
  availability: number | null;
  /**
   * Share of requests expected to succeed while the fault lasts, when every
   * overloaded service serves its remaining capacity and sheds the rest:
   * the smallest of min(1, 1 / ratio) over the required services hit; null
   * when the plan does not model the fault.
   */
  successRatio: number | null;
  /** Required services left with less capacity than their load: load / remaining capacity (> 1). */
  overload: { service: string; ratio: number }[];
  /** Optional dependencies left without an instance: the journeys degrade, not fail. */
  degraded: string[];
  /** Writes the recovery may lose, as a time window; 0: none. Null when nothing recovers the data. */
  rpoMs: number | null;
  /** Time to recover by the plan's mechanism; null when nothing recovers it. */
  rtoMs: number | null;
  /** The plan's recovery mechanism (`spare-capacity`, `restart`, `sync-replica`, `lazy-deletion`...), null when none applies. */
  mechanism: string | null;
  /**
   * Dependency faults and retry storms: attempts sent to the target per
   * call while every attempt fails (`retries + 1`, capped at `1 + budget`
   * with a retry budget; a breaker's effect is not in the plan); null otherwise.
   */
  amplification: number | null;
}

/** Options of {@link predictScenario}. */
export interface PredictOptions {
  /** `nines up --time-scale`: start-up times are divided by it. Default 1. */
  timeScale?: number;
}

/**
 * The plan's prediction for one scenario: availability with the zone or
 * region down (`availabilityWithDown`), the overload ratio of each service
 * hit (the `zone-loss-overload` rule's load / remaining capacity, for the
 * zone or instances lost), and the RPO and RTO of the recovery mechanism
 * the DR analysis chooses (a store's `durability` for the threat; a
 * service's `spare-capacity`, `restart` or `standby`).
 *
 * @example
 * const plan = analyze(spec);
 * predictScenario(spec, plan, scenario).rtoMs; // 60000: orders-db fails over to its synchronous replica
 */
export function predictScenario(
  spec: Spec,
  plan: PlanResult,
  scenario: Scenario,
  options: PredictOptions = {},
): Prediction {
  const timeScale = options.timeScale ?? 1;
  switch (scenario.kind) {
    case "instance-loss":
      return instanceLoss(spec, plan, scenario.target, timeScale);
    case "zone-loss":
    case "region-loss":
      return domainLoss(spec, plan, scenario, timeScale);
    case "db-crash":
      return storeThreat(plan, scenario.target, "crash", "a crash of its primary");
    case "deletion":
      return storeThreat(plan, scenario.target, "deletion", "a deletion through the application");
    case "query-of-death":
      return {
        ...none("the plan does not model a query of death: compared with the objective only"),
        rpoMs: 0,
      };
    case "dependency-fault":
    case "retry-storm":
      return dependencyFault(spec, scenario);
  }
}

function none(basis: string): Prediction {
  return {
    basis,
    availability: null,
    successRatio: null,
    overload: [],
    degraded: [],
    rpoMs: null,
    rtoMs: null,
    mechanism: null,
    amplification: null,
  };
}

function instanceLoss(spec: Spec, plan: PlanResult, instance: string, timeScale: number): Prediction {
  const service = spec.services.find((s) => instance.startsWith(`${s.name}-`));
  if (service === undefined) return none(`no service runs instance ${instance}`);
  const total = new Set(service.zones).size * service.instances;
  const remaining = (total - 1) * service.capacity;
  const ratio = service.load / remaining;
  const dr = serviceRecovery(spec, plan.asOf, service.name, "crash");
  const overload = ratio > 1 ? [{ service: service.name, ratio: round3(ratio) }] : [];
  return {
    basis: `${service.name}: ${total - 1} of ${total} instances carry a load of ${service.load} req/s (DR: ${dr?.mechanism ?? "none"})`,
    availability: null,
    successRatio: Math.min(1, 1 / ratio),
    overload,
    degraded: [],
    rpoMs: 0,
    rtoMs: recoveryMs(dr, timeScale),
    mechanism: dr?.mechanism ?? null,
    amplification: null,
  };
}

function domainLoss(spec: Spec, plan: PlanResult, scenario: Scenario, timeScale: number): Prediction {
  const isZone = scenario.kind === "zone-loss";
  const lost = availabilityWithDown(spec, isZone ? { zones: [scenario.target] } : { regions: [scenario.target] });
  const down = new Set(lost.down);
  const required = requiredServices(spec);
  const overload: Prediction["overload"] = [];
  const degraded: string[] = [];
  let successRatio = 1;
  let rtoMs = 0;
  let mechanism: string | null = "spare-capacity";
  for (const service of spec.services) {
    const zones = [...new Set(service.zones)];
    const hit = zones.filter((z) => down.has(z));
    if (hit.length === 0) continue;
    const remaining = (zones.length - hit.length) * service.instances * service.capacity;
    if (!required.has(service.name)) {
      if (remaining === 0) degraded.push(service.name);
      continue;
    }
    const ratio = remaining === 0 ? Number.POSITIVE_INFINITY : service.load / remaining;
    if (ratio > 1) {
      overload.push({ service: service.name, ratio: round3(ratio) });
      successRatio = Math.min(successRatio, 1 / ratio);
    }
    const dr = serviceRecovery(spec, plan.asOf, service.name, isZone ? "zone-outage" : "region-outage");
    const ms = recoveryMs(dr, timeScale);
    if (ms === null) {
      rtoMs = Number.NaN;
      mechanism = null;
    } else if (ms > rtoMs || (mechanism === "spare-capacity" && dr?.mechanism !== "spare-capacity")) {
      rtoMs = Math.max(rtoMs, ms);
      mechanism = dr?.mechanism ?? mechanism;
    }
  }
  // Stores with a node in the lost domain recover by their own mechanism.
  let rpoMs: number | null = 0;
  for (const d of plan.durability ?? []) {
    const store = spec.stores.find((s) => s.name === d.store);
    if (store === undefined) continue;
    const nodes = [store.zone, store.replica?.zone].filter((z): z is string => typeof z === "string");
    const inDomain = isZone
      ? nodes.includes(scenario.target)
      : nodes.some((z) => down.has(z)) || store.location === scenario.target;
    if (!inDomain) continue;
    const threat = threatOf(d, isZone ? "zone-outage" : "region-outage");
    if (threat === undefined || threat.rpo === null || threat.rto === null) {
      rpoMs = null;
      rtoMs = Number.NaN;
      continue;
    }
    if (rpoMs !== null) rpoMs = Math.max(rpoMs, fromSeconds(threat.rpo));
    if (!Number.isNaN(rtoMs) && fromSeconds(threat.rto) > rtoMs) {
      rtoMs = fromSeconds(threat.rto);
      mechanism = threat.mechanism;
    }
  }
  const availability = Math.min(1, ...lost.journeys.map((j) => j.availability));
  const what = isZone ? `zone ${scenario.target}` : `region ${scenario.target}`;
  return {
    basis: `the planner's model with ${what} down; load / remaining capacity of each service there (zone-loss-overload); the DR mechanism of each service and store hit`,
    availability,
    successRatio: Number.isFinite(successRatio) ? successRatio : 0,
    overload,
    degraded,
    rpoMs,
    rtoMs: Number.isNaN(rtoMs) ? null : rtoMs,
    mechanism,
    amplification: null,
  };
}

function storeThreat(plan: PlanResult, storeName: string, threat: Threat, what: string): Prediction {
  const d = (plan.durability ?? []).find((x) => x.store === storeName);
  const t = d === undefined ? undefined : threatOf(d, threat);
  if (t === undefined || !t.protected || t.rpo === null || t.rto === null) {
    return { ...none(`nothing in the spec recovers ${storeName} from ${what}`), rpoMs: null };
  }
  return {
    ...none(`${storeName}: the DR analysis recovers ${what} by ${t.mechanism}`),
    rpoMs: fromSeconds(t.rpo),
    rtoMs: fromSeconds(t.rto),
    mechanism: t.mechanism,
  };
}

function dependencyFault(spec: Spec, scenario: Scenario): Prediction {
  const fault = scenario.fault;
  const callers = spec.services.filter((s) => s.calls.some((c) => c.target === scenario.target));
  const call = callers.flatMap((s) => s.calls).find((c) => c.target === scenario.target);
  const optional = call?.optional ?? false;
  const base = none(`the plan does not model ${fault?.kind ?? "this fault"}: expected from the callers' policies`);
  if (fault === undefined || call === undefined) return { ...base, rpoMs: 0 };
  if (optional) {
    return {
      ...base,
      successRatio: 1,
      degraded: [scenario.target],
      rpoMs: 0,
      basis: `${scenario.target} is optional: its callers degrade`,
    };
  }
  // Naive callers keep the number of retries and drop backoff, breaker and budget: the same attempts.
  const attempts = call.retries + 1;
  let successRatio: number | null = null;
  let basis = base.basis;
  if (fault.kind === "error") {
    const ratio = fault.ratio ?? 1;
    const budget = scenario.callers === "naive" ? null : call.budget;
    // Retries wanted per request: e + e^2 + ... + e^retries; a budget sends at most `budget` of them.
    let wanted = 0;
    for (let i = 1; i < attempts; i++) wanted += ratio ** i;
    const sent = budget === null ? wanted : Math.min(budget, wanted);
    successRatio = Math.min(1 - ratio ** attempts, (1 - ratio) * (1 + sent));
    basis =
      `each attempt fails with probability ${ratio}; ${call.retries} ${call.retries === 1 ? "retry" : "retries"}` +
      (budget === null ? "" : ` within a budget of ${budget} of the requests`) +
      ` ${call.retries === 1 ? "gives" : "give"} ${Number(successRatio.toFixed(3))} of the requests that need ${scenario.target} (the breaker is not in the plan)`;
  } else if (fault.kind === "blackhole" || fault.kind === "reset") {
    successRatio = 0;
    basis = `no attempt reaches ${scenario.target}: requests that need it fail`;
  } else if (fault.kind === "latency") {
    const limit = call.timeoutMs;
    successRatio = limit !== null && fault.delayMs >= limit ? 0 : 1;
    basis =
      limit === null
        ? `no per-attempt timeout in the spec: requests are ${fault.delayMs} ms slower and succeed`
        : `per-attempt timeout ${limit} ms against ${fault.delayMs} ms of delay`;
  }
  const budgeted = scenario.callers !== "naive" && call.budget !== null ? 1 + call.budget : attempts;
  const amplification = scenario.kind === "retry-storm" ? Math.min(attempts, budgeted) : null;
  return { ...base, basis, successRatio, rpoMs: 0, rtoMs: 0, amplification };
}

/** Services the journeys need (entries and their required calls); all of them without journeys. */
function requiredServices(spec: Spec): Set<string> {
  const out = new Set<string>();
  const visit = (name: string) => {
    const service = spec.services.find((s) => s.name === name);
    if (service === undefined || out.has(name)) return;
    out.add(name);
    for (const c of service.calls) if (c.targetKind === "service" && !c.optional) visit(c.target);
  };
  for (const j of spec.journeys) visit(j.entry);
  if (spec.journeys.length === 0) for (const s of spec.services) out.add(s.name);
  return out;
}

function threatOf(d: DurabilityResult, threat: Threat) {
  return d.threats.find((t) => t.threat === threat);
}

/** A service DR figure: restarts are scaled as the local run scales start-up; the rest as the plan gives it. */
function recoveryMs(dr: DisasterResult | undefined, timeScale: number): number | null {
  if (dr === undefined || dr.rto.achieved === null) return null;
  const ms = fromSeconds(dr.rto.achieved);
  return dr.mechanism === "restart" || dr.mechanism === "standby" ? Math.round(ms / timeScale) : ms;
}

const serviceDr = new WeakMap<Spec, Map<string, DisasterResult>>();

/**
 * The DR analysis of a service scenario, asked of the planner with a
 * disaster made for it (its objectives do not matter: only the mechanism
 * and what it achieves are read). One analysis per spec, cached.
 */
function serviceRecovery(
  spec: Spec,
  asOf: string,
  service: string,
  kind: "crash" | "zone-outage" | "region-outage",
): DisasterResult | undefined {
  let table = serviceDr.get(spec);
  if (table === undefined) {
    const kinds = ["crash", "zone-outage", "region-outage"] as const;
    const disasters = spec.services.flatMap((s: Service, i) =>
      kinds.map((k, j) => ({
        subjectKind: "service" as const,
        subject: s.name,
        scenario: `${s.name} ${k}`,
        kind: k,
        rpoMs: 0,
        rtoMs: 0,
        priority: "low" as const,
        via: "application" as const,
        index: i * kinds.length + j,
      })),
    );
    const result = analyze({ ...spec, disasters }, { asOf });
    table = new Map(result.disasters.map((d) => [`${d.subject} ${d.kind}`, d]));
    serviceDr.set(spec, table);
  }
  return table.get(`${service} ${kind}`);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
