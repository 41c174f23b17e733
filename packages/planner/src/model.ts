/**
 * The planner's validated, typed model of a `nines.yaml` spec. `parseSpec`
 * turns YAML into this once (docs/spec.md); every rule, report and exporter
 * reads the model, never the YAML. Durations are milliseconds (`...Ms`),
 * availabilities fractions in (0, 1], money per month in `costs.currency`
 * (`downtimePerHour` per hour). Defaults are filled in: a field that the
 * spec may leave out is null here only where "absent" means something.
 */

/** Where a node of the spec was written, for messages. 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface Spec {
  name: string;
  file: string;
  objectives: {
    /** Default objective for every journey; null when none is set. */
    availability: number | null;
    /** Default 10. */
    maxRetryAmplification: number;
  };
  platform: Platform;
  /** Edge components by name, in file order. */
  edge: EdgeComponent[];
  /** Services in file order. */
  services: Service[];
  /** Stores in file order. */
  stores: Store[];
  journeys: Journey[];
  disasters: Disaster[];
  costs: Costs;
  /**
   * Where each named node was written, keyed by a path such as
   * `services.web.zones[1]`: map entries at their key, list items at their
   * first character (`disasters[1]`).
   */
  locations: Map<string, SourceLocation>;
}

export interface Platform {
  /** Regions in file order, each with its zones in file order. */
  regions: Region[];
  availability: { region: number; zone: number; instance: number };
}

export interface Region {
  name: string;
  zones: string[];
}

/** A managed or explicit-SLA component outside the zone model (load balancer, CDN...). */
export interface EdgeComponent {
  kind: "edge";
  name: string;
  engine: string;
  /** The catalog figure or the explicit `sla`. */
  availability: number;
  /** Where it is placed, as written: a declared region's name, `dual-region`, `multi-region` or `global` (the default). */
  location: string;
  /** Monthly cost, 0 when not given. */
  cost: number;
}

export type RetryBackoff = "exponential" | "linear" | "constant" | "none";

export interface Call {
  /** The callee: a service or a store name. */
  target: string;
  targetKind: "service" | "store";
  optional: boolean;
  retries: number;
  backoff: RetryBackoff | null;
  jitter: boolean;
  breaker: boolean;
  /** Retry budget as a fraction of the call's requests; null when none. */
  budget: number | null;
  /** Time limit of one attempt, null when not given. */
  timeoutMs: number | null;
}

/** The health endpoints of an instance; one set shared with `@nines/guard` and `nines k8s`. */
export interface HealthPaths {
  /** Liveness: the process is not stuck (default `/livez`). */
  liveness: string;
  /** Readiness: it can serve, dependencies included; `health.check` when the spec gives one (default `/readyz`). */
  readiness: string;
  /** Startup: it has finished starting (default `/startupz`). */
  startup: string;
}

/**
 * How an instance of a service starts, for `nines up` and `nines drill`
 * (spec `run`). The availability figures never read it.
 */
export interface RunSpec {
  /** The program and its arguments. */
  command: string[];
  /** The environment variable that carries the port the instance listens on (default `PORT`). */
  port: string;
  /** Extra environment variables. */
  env: Record<string, string>;
  health: HealthPaths;
  /** Working directory, relative to the spec's directory; null for the spec's directory. */
  cwd: string | null;
}

/**
 * The graceful drain timeline of an instance (spec `drain`), the same
 * options as `@nines/guard`'s drain: readiness fails, then after `delayMs`
 * the server stops accepting, in-flight requests get `graceMs` to finish,
 * then cleanup hooks run within `cleanupTimeoutMs`. `nines k8s` derives the
 * termination grace period and the `preStop` hook from it.
 */
export interface DrainSpec {
  delayMs: number;
  graceMs: number;
  cleanupTimeoutMs: number;
}

export interface Service {
  kind: "service";
  name: string;
  /** Zones in file order. */
  zones: string[];
  /** Per zone. */
  instances: number;
  /** Requests per second one instance can take at most. */
  capacity: number;
  /** Peak requests per second offered. */
  load: number;
  unit: "instance" | "zone";
  health: { check: string | null; dependencies: boolean; autoheal: boolean };
  /** Time until a new instance serves; null when not given. */
  startupMs: number | null;
  autoscale: { metric: string; target: number; max: number; min: number | null } | null;
  /** Calls in file order. */
  calls: Call[];
  standby: Standby | null;
  /** Monthly cost override for the whole service, null when derived from costs.instance. */
  cost: number | null;
  /** The drain timeline, `@nines/guard`'s defaults when the spec gives none. */
  drain: DrainSpec;
  /** How an instance starts; null when the spec does not say. */
  run: RunSpec | null;
}

export interface Standby {
  kind: "cold" | "hot";
  region: string;
  /** Time to provision a cold standby (0 when not given). */
  provisionMs: number;
}

/** Where backups or logs are kept: a keyword or a declared region's name. */
export type BackupLocation =
  | { kind: "same-zone" }
  | { kind: "same-region" }
  | { kind: "other-region" }
  | { kind: "dual-region" }
  | { kind: "multi-region" }
  | { kind: "region"; region: string };

/** Continuous replication of an embedded store (spec `replicate`, `nines data replicate`). */
export interface Replicate {
  /** Where the replicas are kept, one or more. */
  at: BackupLocation[];
  /** How often committed changes are shipped: the RPO of a recovery from a replica (default 1 s). */
  intervalMs: number;
  /** Time to restore the store from a replica. */
  restoreMs: number;
}

export interface Store {
  kind: "store";
  name: string;
  engine: string;
  /**
   * True for a catalog engine (other than `cloud-sql` without a replica),
   * `cloud-sql` with its HA replica, and any store with an explicit `sla`.
   */
  managed: boolean;
  /**
   * For catalog engines and explicit-SLA stores: a region's name,
   * `dual-region`, `multi-region` or `global`; null for placed stores and
   * `cloud-sql` (whose region follows from `zone`).
   */
  location: string | null;
  /** The managed figure (catalog, `cloud-sql` HA, or explicit `sla`), null for placed stores. */
  sla: number | null;
  /** Primary zone for placed stores (and cloud-sql), null otherwise. */
  zone: string | null;
  replica: { zone: string; sync: boolean; lagMs: number; failoverMs: number } | null;
  backups: { intervalMs: number; at: BackupLocation; restoreMs: number; tested: string | null } | null;
  /**
   * Point-in-time log archiving. A `log` written without backups and
   * without its own `at` has no location and recovers nothing: it is null.
   */
  log: { intervalMs: number; at: BackupLocation } | null;
  userData: boolean;
  deletion: { trashMs: number; softMs: number; restoreMs: number } | null;
  /** Time to rebuild from sources, null when it cannot be rebuilt. */
  rebuildMs: number | null;
  standby: Standby | null;
  /** Continuous replication (embedded stores), null when none. */
  replicate: Replicate | null;
  /** Monthly cost, 0 when not given. */
  cost: number;
}

export type Component = EdgeComponent | Service | Store;

export interface Journey {
  name: string;
  /** An edge component's name, null when none. */
  via: string | null;
  entry: string;
  /** Own objective, else the spec default; null when neither. */
  objective: number | null;
}

export type DisasterKind = "deletion" | "crash" | "zone-outage" | "region-outage";

export interface Disaster {
  subjectKind: "store" | "service";
  subject: string;
  scenario: string;
  kind: DisasterKind;
  /** 0 when omitted for a service. */
  rpoMs: number;
  rtoMs: number;
  priority: "high" | "medium" | "low";
  via: "application" | "database";
  /** Index in the spec's list, for locations (`disasters[i]`). */
  index: number;
}

export interface Costs {
  currency: string;
  /** Per instance per month. */
  instance: number;
  /** Per hour of downtime. */
  downtimePerHour: number;
}
