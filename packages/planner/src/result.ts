/**
 * What `analyze(spec)` returns and `nines plan --json` prints (`spec.md`,
 * "Output"). Availability is a fraction; durations are seconds; money is in
 * the spec's currency. Reports and exporters read this and the model only.
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
    | null;
  met: boolean;
}

export interface CostAlternative {
  name: "as-written" | "single-zone" | "multi-zone" | "multi-region";
  monthly: number;
  availability: number;
  downtimeCostPerYear: number;
  /** True on the row with the smallest 12 x monthly + downtimeCostPerYear. */
  cheapest: boolean;
  /** Instances in all, for the table. */
  instances: number;
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
  costs: { currency: string; alternatives: CostAlternative[] };
}
