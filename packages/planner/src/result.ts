/**
 * What `analyze(spec)` returns and `nines plan --json` prints (docs/plan.md,
 * "--json"). Availability is a fraction in [0, 1]; durations are seconds,
 * as that JSON gives them (the model holds milliseconds;
 * `result-seconds.ts` converts); money is in the spec's currency. Reports
 * and exporters read this and the model only.
 */

export type Severity = "error" | "warning" | "info";

export type RuleId =
  | "availability-objective"
  | "spof"
  | "n-plus-2"
  | "zone-loss-overload"
  | "retry-amplification"
  | "retry-without-backoff"
  | "retry-without-breaker"
  | "no-health-check"
  | "shallow-health-check"
  | "no-autoheal"
  | "backup-colocated"
  | "dr-rpo"
  | "dr-rto"
  | "dr-unrecoverable"
  | "no-lazy-deletion"
  | "restore-untested"
  | "no-autoscale";

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** A journey, component, `caller -> callee`, or a scenario's store or service. */
  subject: string;
  /** What is wrong and what to change. */
  message: string;
  /** Rule-specific fields: `ratio` (zone-loss-overload), `factor` and `path` (retry-amplification), `scenario` (dr-*), `domains` (spof). */
  [extra: string]: unknown;
}

export interface EstimateMethod {
  method: "exact" | "monte-carlo";
  /** Only for monte-carlo. */
  samples?: number;
  /** Only for monte-carlo: [low, high] 95% confidence interval of the availability. */
  ci95?: [number, number];
}

export interface JourneyResult extends EstimateMethod {
  name: string;
  availability: number;
  objective: number | null;
  downtimeMinutesPerYear: number;
  downtimeMinutesPerMonth: number;
  /** `via`, then a depth-first pre-order walk from `entry` following required calls in file order. */
  components: string[];
  /** The zones its components use. */
  zones: string[];
}

export interface ComponentResult {
  name: string;
  kind: "service" | "store" | "edge";
  /** Standalone availability of the component, its zones and regions included. */
  availability: number;
  downtimeMinutesPerYear: number;
  /** (1 - availability) x 43,200 minutes (a 30-day month); always set by `analyze`. */
  downtimeMinutesPerMonth?: number;
  /** Services: instances needed, k = max(1, ceil(load / capacity)). */
  needed?: number;
  /** Services: instances in all. */
  instances?: number;
  /** Services: total capacity / load at peak (Infinity when load is 0). */
  headroom?: number;
}

export interface DisasterResult {
  subject: string;
  subjectKind: "store" | "service";
  scenario: string;
  kind: "deletion" | "crash" | "zone-outage" | "region-outage";
  priority: "high" | "medium" | "low";
  rpo: { objective: number; achieved: number | null };
  rto: { objective: number; achieved: number | null };
  mechanism:
    | "lazy-deletion"
    | "log-and-backups"
    | "backups"
    | "rebuild"
    | "managed"
    | "sync-replica"
    | "async-replica"
    | "spare-capacity"
    | "restart"
    | "standby"
    | "replication"
    | null;
  met: boolean;
  /** The latest drill of this scenario (`analyze`'s `evidence`), measured next to the plan; absent without one. */
  measured?: {
    date: string;
    /** The drill scenario's name. */
    scenario: string;
    /** Acknowledged writes lost. */
    lostWrites: number;
    /** Seconds; null when it did not recover within the drill. */
    rto: number | null;
    verdict: "met" | "missed";
  };
}

export interface CostAlternative {
  name: "as-written" | "single-zone" | "multi-zone" | "multi-region";
  /** 0 for every row when the spec has no costs. */
  monthly: number;
  availability: number;
  downtimeCostPerYear: number;
  /** True on the row with the smallest 12 x monthly + downtimeCostPerYear; false on every row when the spec has no costs. */
  cheapest: boolean;
  /** Instances in all, for the table. */
  instances: number;
  /** 12 x monthly + downtimeCostPerYear: what `cheapest` compares. */
  totalPerYear?: number;
  /** How the availability was computed (the lowest journey's method). */
  method?: "exact" | "monte-carlo";
}

export interface PlanResult {
  name: string;
  file: string;
  /** ISO date the time-dependent rules compared with. */
  asOf: string;
  journeys: JourneyResult[];
  components: ComponentResult[];
  findings: Finding[];
  disasters: DisasterResult[];
  /** `priced` is false when the spec gives no cost at all (no `costs` figures, no `cost` fields): then no money is shown. */
  costs: { currency: string; priced?: boolean; alternatives: CostAlternative[] };
  /** Per store: what protects it against each threat and the achievable RPO (course key metric 2). */
  durability?: DurabilityResult[];
  /** Per service: headroom at peak and autoscaling limits against load (course key metric 3). */
  scalability?: ScalabilityResult[];
}

export type Threat = "deletion" | "raw-deletion" | "crash" | "zone-outage" | "region-outage";

export interface DurabilityResult {
  store: string;
  engine: string;
  managed: boolean;
  /** Managed location, or the primary zone of a placed store. */
  location: string | null;
  replica: { zone: string; sync: boolean } | null;
  /** Backups with `at` as written ("multi-region", a region name...); seconds. */
  backups: { every: number; at: string; restore: number; tested: string | null } | null;
  log: { every: number; at: string } | null;
  /** Continuous replication: where, its interval and its restore time (seconds). */
  replicate: { at: string[]; interval: number; restore: number } | null;
  lazyDeletion: { trash: number; soft: number; restore: number } | null;
  rebuild: number | null;
  threats: {
    threat: Threat;
    /** False when nothing in the spec recovers the data from this threat. */
    protected: boolean;
    /** The mechanism with the best (smallest) RPO, then RTO. */
    mechanism: DisasterResult["mechanism"];
    rpo: number | null;
    rto: number | null;
    /** Every mechanism that applies, in the preference order of docs/planner-model.md. */
    mechanisms: { mechanism: NonNullable<DisasterResult["mechanism"]>; rpo: number; rto: number }[];
  }[];
}

export interface ScalabilityResult {
  service: string;
  /** Peak req/s. */
  load: number;
  capacityPerInstance: number;
  /** Instances in all (zones x per zone). */
  instances: number;
  /** k = max(1, ceil(load / capacity)). */
  needed: number;
  /** capacity x instances, req/s. */
  capacity: number;
  /** capacity x instances / load, three decimals; null when load is 0. */
  headroom: number | null;
  autoscale: {
    metric: string;
    target: number;
    max: number;
    /** max x capacity per instance, req/s. */
    maxCapacity: number;
    /** maxCapacity / load, three decimals; null when load is 0. */
    headroomAtMax: number | null;
    /** ceil(load / target) for a requests-per-second target, else null. */
    instancesAtPeak: number | null;
    /** maxCapacity >= load. */
    coversLoad: boolean;
  } | null;
}
