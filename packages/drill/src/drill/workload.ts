import type { Journey, JourneyRequest } from "../load/journey.js";
import type { SystemPlan } from "../up/system-plan.js";

/** What a workload's journeys and hooks get from the drill. */
export interface WorkloadContext {
  /** The run's plan: services with their scaled load and capacity, `run.env`, stores. */
  plan: SystemPlan;
  /** The front door (where journeys are sent). */
  frontDoor: string;
  /** The URL of a ready instance of `service` (for admin calls that do not go through the front door); throws when none is ready. */
  instanceUrl(service: string): string;
  /** Records a write the system acknowledged (the RPO ledger). */
  acknowledge(id: string): void;
  /** Records a write whose outcome the client never learned. */
  ambiguous(id: string): void;
  /** Counts an observation at this moment (`degraded`: an answer made without an optional dependency). */
  mark(name: string): void;
}

/** Where acknowledged writes are checked after recovery: a column of a table in a PostgreSQL store. */
export interface WriteCheck {
  store: string;
  table: string;
  column: string;
  /** The journey steps that write (their 2xx answers are the writes of the failover time). */
  steps: readonly string[];
}

/** How a workload deletes a store's data by mistake and recovers it. */
export interface DeletionHook {
  store: string;
  /** Counts the items a user sees (before the mistake and after the recovery). */
  count(context: WorkloadContext): Promise<number>;
  /** The mistake; resolves with the rows deleted. */
  delete(context: WorkloadContext): Promise<number>;
  /** The recovery; resolves with the rows restored. */
  restore(context: WorkloadContext): Promise<number>;
  mechanism: "lazy-deletion" | "backups";
}

/**
 * What a drill drives a system with (docs/drill.md, "Workloads"): the
 * journeys at the scaled load, which services each step needs (for the
 * per-service measures), where acknowledged writes are checked, and the
 * hooks of the scenarios that need the application's own API (a deletion,
 * a query of death). A system without a workload module gets
 * {@link genericWorkload}.
 *
 * @example
 * const workload: Workload = {
 *   name: "shop",
 *   rate: (plan) => plan.services[0]!.load,
 *   journeys: (context) => [sequence("home", [{ step: "home", path: "/" }])],
 *   steps: { home: ["web"] },
 * };
 */
export interface Workload {
  name: string;
  /** Journeys per second at the run's scale. */
  rate(plan: SystemPlan): number;
  journeys(context: WorkloadContext): Journey[];
  /** The services each step needs (required ones), by step name. */
  steps?: Record<string, readonly string[]>;
  writes?: WriteCheck;
  deletion?: readonly DeletionHook[];
  /** A request that crashes `service` (sent at the front door). */
  queryOfDeath?: { service: string; request: JourneyRequest };
}

/**
 * The workload of a system with no workload module: one request, `GET /`
 * at the front door, at the entry service's scaled load; no writes, no
 * deletion and no query of death (those scenarios are not run).
 *
 * @example
 * const workload = genericWorkload();
 * workload.rate(system.plan); // the entry's load / scale
 */
export function genericWorkload(): Workload {
  return {
    name: "generic",
    rate: (plan) => {
      const entry = plan.entries[0]?.service;
      return Math.max(1, plan.services.find((s) => s.name === entry)?.load ?? 1);
    },
    journeys: () => [
      {
        name: "home",
        async run(context) {
          await context.request("home", { path: "/" });
        },
      },
    ],
  };
}
