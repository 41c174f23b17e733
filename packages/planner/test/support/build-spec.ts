import type {
  Call,
  Costs,
  Disaster,
  EdgeComponent,
  Journey,
  Platform,
  Service,
  SourceLocation,
  Spec,
  Store,
} from "../../src/model.js";
import { DRAIN_DEFAULTS } from "../../src/spec/defaults.js";

/** A call as tests write it: the callee and whatever differs from "no retries, required". */
export type CallInput = Partial<Call> & { target: string };
export type ServiceInput = Partial<Omit<Service, "calls">> & { name: string; zones: string[]; calls?: CallInput[] };
export type StoreInput = Partial<Store> & { name: string };
export type EdgeInput = Partial<EdgeComponent> & { name: string };
export type DisasterInput = Partial<Disaster> & Pick<Disaster, "subject" | "kind">;

export interface SpecInput {
  name?: string;
  /** Region name -> its zones. */
  regions: Record<string, string[]>;
  availability?: Partial<Platform["availability"]>;
  /** Default journey objective (fraction), null for none (default 0.999). */
  objective?: number | null;
  maxRetryAmplification?: number;
  edge?: EdgeInput[];
  services?: ServiceInput[];
  stores?: StoreInput[];
  journeys?: (Partial<Journey> & { name: string; entry: string })[];
  disasters?: DisasterInput[];
  costs?: Partial<Costs>;
}

/**
 * Builds a typed {@link Spec} in code, for tests and benchmarks that need no
 * YAML (test support: not part of the package's API). Defaults are chosen
 * so that a component breaks no rule unless the test says so: services
 * have a deep health check with autoheal, autoscale, `unit: instance`;
 * calls are required and do not retry; stores are self-managed `postgres`
 * unless `managed`/`sla` are given. Durations are milliseconds.
 *
 * @example
 * const spec = buildSpec({
 *   regions: { r1: ["a", "b"] },
 *   services: [{ name: "web", zones: ["a", "b"], instances: 2, capacity: 100, load: 100 }],
 *   journeys: [{ name: "home", entry: "web" }],
 * });
 */
export function buildSpec(input: SpecInput): Spec {
  const services = (input.services ?? []).map((s): Service => {
    const calls = (s.calls ?? []).map(
      (c): Call => ({
        targetKind: (input.stores ?? []).some((st) => st.name === c.target) ? "store" : "service",
        optional: false,
        retries: 0,
        backoff: null,
        jitter: false,
        breaker: false,
        budget: null,
        timeoutMs: null,
        ...c,
      }),
    );
    return {
      kind: "service",
      instances: 1,
      capacity: 100,
      load: 50,
      unit: "instance",
      health: { check: "/readyz", dependencies: true, autoheal: true },
      startupMs: 10_000,
      autoscale: { metric: "requests-per-second", target: 70, max: 10, min: null },
      standby: null,
      cost: null,
      drain: { ...DRAIN_DEFAULTS },
      run: null,
      ...s,
      calls,
    };
  });
  const stores = (input.stores ?? []).map(
    (s): Store => ({
      kind: "store",
      engine: "postgres",
      managed: false,
      location: null,
      sla: null,
      zone: null,
      replica: null,
      backups: null,
      log: null,
      userData: false,
      deletion: null,
      rebuildMs: null,
      standby: null,
      replicate: null,
      cost: 0,
      ...s,
    }),
  );
  const edge = (input.edge ?? []).map(
    (e): EdgeComponent => ({
      kind: "edge",
      engine: "global-http-lb",
      availability: 0.9999,
      location: "global",
      cost: 0,
      ...e,
    }),
  );
  const objective = input.objective === undefined ? 0.999 : input.objective;
  return {
    name: input.name ?? "test",
    file: "test.nines.yaml",
    objectives: { availability: objective, maxRetryAmplification: input.maxRetryAmplification ?? 10 },
    platform: {
      regions: Object.entries(input.regions).map(([name, zones]) => ({ name, zones })),
      availability: { region: 0.9999, zone: 0.999, instance: 0.995, ...input.availability },
    },
    edge,
    services,
    stores,
    journeys: (input.journeys ?? []).map((j) => ({ via: null, objective, ...j })),
    disasters: (input.disasters ?? []).map(
      (d, index): Disaster => ({
        subjectKind: stores.some((s) => s.name === d.subject) ? "store" : "service",
        scenario: `${d.subject} ${d.kind}`,
        rpoMs: 0,
        rtoMs: 3_600_000,
        priority: "high",
        via: "application",
        index,
        ...d,
      }),
    ),
    costs: { currency: "USD", instance: 50, downtimePerHour: 20000, ...input.costs },
    locations: new Map<string, SourceLocation>(),
  };
}
