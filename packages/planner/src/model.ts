/**
 * The planner's validated, typed model of a `nines.yaml` spec. Parsing turns
 * YAML into this once (see `spec.md` in the design docs); every rule,
 * report and exporter reads the model, never the YAML. All durations are
 * seconds, all availabilities fractions in (0, 1], all money per month
 * (`downtimePerHour` per hour) in `costs.currency`.
 *
 * Notes from the parser (`spec/parse-spec.ts`, no field renamed or removed):
 * - `Store.location` stays null for `cloud-sql` (its region follows from `zone`).
 * - `Store.managed`/`sla`: catalog engines get the catalog figure for their
 *   location; `cloud-sql` with a replica 0.9995; any store with `sla:` is
 *   managed with that figure; otherwise placed (managed false, sla null).
 * - `EdgeComponent.location` is a declared region's name or "global" (also
 *   for `dual-region`/`multi-region`).
 * - `Spec.locations` points at the key of each map entry and at the start of
 *   each list item (`disasters[1]`).
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
  /** Location of each named node, keyed by a path such as `services.web.zones[1]`. */
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
  /** Where it is placed, when it is regional: a region name; otherwise "global". */
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
  /** Per-call timeout in seconds, null when not given. */
  timeout: number | null;
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
  /** Seconds until a new instance serves; null when not given. */
  startup: number | null;
  autoscale: { metric: string; target: number; max: number; min: number | null } | null;
  /** Calls in file order. */
  calls: Call[];
  standby: Standby | null;
  /** Monthly cost override for the whole service, null when derived from costs.instance. */
  cost: number | null;
}

export interface Standby {
  kind: "cold" | "hot";
  region: string;
  /** Seconds to provision (0 for hot when not given). */
  provision: number;
}

/** Where backups or logs are kept: a keyword or a declared region's name. */
export type BackupLocation =
  | { kind: "same-zone" }
  | { kind: "same-region" }
  | { kind: "other-region" }
  | { kind: "dual-region" }
  | { kind: "multi-region" }
  | { kind: "region"; region: string };

export interface Store {
  kind: "store";
  name: string;
  engine: string;
  /** True for catalog engines (other than cloud-sql without a replica) and explicit `sla`. */
  managed: boolean;
  /** For managed engines: a region name, "dual-region", "multi-region" or "global"; null for placed stores. */
  location: string | null;
  /** The managed figure (catalog or explicit `sla`), null for placed stores. */
  sla: number | null;
  /** Primary zone for placed stores (and cloud-sql), null otherwise. */
  zone: string | null;
  replica: { zone: string; sync: boolean; lag: number; failover: number } | null;
  backups: { every: number; at: BackupLocation; restore: number; tested: string | null } | null;
  /** Point-in-time log archiving. */
  log: { every: number; at: BackupLocation } | null;
  userData: boolean;
  deletion: { trash: number; soft: number; restore: number } | null;
  /** Seconds to rebuild from sources, null when it cannot be rebuilt. */
  rebuild: number | null;
  standby: Standby | null;
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
  /** Seconds; 0 when omitted for a service. */
  rpo: number;
  rto: number;
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
