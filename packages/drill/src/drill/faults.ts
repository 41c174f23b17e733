import type { Clock } from "@nines/core";
import { Agent, request } from "undici";
import type { DrillSystem } from "./drill-system.js";
import type { Scenario } from "./scenario.js";
import type { DeletionHook, Workload, WorkloadContext } from "./workload.js";

/** A fault in place: `end()` removes it (restores the zone, clears the link, restores the data). */
export interface ActiveFault {
  end(): Promise<void>;
  /** Deletion: what the store's API counted, and how long the restore took. */
  deletion(): {
    deleted: number;
    restored: number;
    before: number;
    after: number;
    restoreMs: number;
    mechanism: string;
  } | null;
  /** When the data was back (deletion), epoch ms; null otherwise. */
  restoredAt(): number | null;
  /** Requests the fault itself sent (the query of death). */
  sent(): number;
}

/**
 * Why a scenario cannot run on this system now, or null when it can:
 * an unknown target, a PostgreSQL store without a standby left, a hook
 * the workload does not offer, callers that cannot be restarted.
 *
 * @example
 * notRunnable(system, scenario, workload); // "orders-db has no standby to fail over to ..."
 */
export function notRunnable(system: DrillSystem, scenario: Scenario, workload: Workload): string | null {
  const zones = system.plan.zones;
  switch (scenario.kind) {
    case "instance-loss":
      return system.instances().some((i) => i.id === scenario.target)
        ? null
        : `no instance ${scenario.target} in this run`;
    case "zone-loss":
      if (!zones.some((z) => z.zone === scenario.target)) return `no zone ${scenario.target} in this run`;
      return system.lostZones().includes(scenario.target) ? `zone ${scenario.target} is already lost` : null;
    case "region-loss":
      return zones.some((z) => z.region === scenario.target) ? null : `no region ${scenario.target} in this run`;
    case "db-crash": {
      const store = system.plan.stores.find((s) => s.name === scenario.target);
      if (store?.kind !== "postgres") {
        return `${scenario.target} does not run as PostgreSQL here (engine ${store?.engine ?? "unknown"}): only a PostgreSQL primary can be crashed`;
      }
      const members = system.database(scenario.target);
      const standby = members.find((m) => m.role === "standby");
      if (!members.find((m) => m.role === "primary")?.up) return `${scenario.target}'s primary is already down`;
      if (!standby?.up) {
        return `${scenario.target} has no standby to fail over to (an earlier scenario lost a member, and the new standby was not ready in time)`;
      }
      return null;
    }
    case "deletion":
      return workload.deletion?.some((d) => d.store === scenario.target)
        ? null
        : `the workload "${workload.name}" has no deletion hook for ${scenario.target}`;
    case "query-of-death":
      return workload.queryOfDeath?.service === scenario.target
        ? null
        : `the workload "${workload.name}" has no query of death for ${scenario.target}`;
    case "dependency-fault":
    case "retry-storm":
      if (!system.instances().some((i) => i.service === scenario.target)) return `no instance of ${scenario.target}`;
      if (scenario.callers === "naive" && system.restartService === undefined) {
        return "this system cannot restart the callers with other call policies (RunningSystem.restartService)";
      }
      return null;
  }
}

/**
 * Injects a scenario's fault and returns how to end it.
 *
 * @example
 * const fault = await startFault(system, scenario, workload, context, { clock });
 * await clock.sleep(scenario.timeline.faultMs);
 * await fault.end();
 */
export async function startFault(
  system: DrillSystem,
  scenario: Scenario,
  workload: Workload,
  context: WorkloadContext,
  options: { clock: Clock },
): Promise<ActiveFault> {
  const { clock } = options;
  const base: ActiveFault = { end: async () => {}, deletion: () => null, restoredAt: () => null, sent: () => 0 };
  switch (scenario.kind) {
    case "instance-loss":
      await system.killInstance(scenario.target);
      return base;
    case "db-crash":
      await system.crashDatabase(scenario.target, "primary");
      return base;
    case "zone-loss":
    case "region-loss": {
      const zones =
        scenario.kind === "zone-loss"
          ? [scenario.target]
          : system.plan.zones.filter((z) => z.region === scenario.target).map((z) => z.zone);
      for (const zone of zones) await system.loseZone(zone);
      return {
        ...base,
        // The zone's instances start again in the background: the observation measures how fast they serve.
        end: async () => {
          for (const zone of zones) void system.restoreZone(zone).catch(() => {});
        },
      };
    }
    case "dependency-fault":
    case "retry-storm": {
      const ids = system.instances(scenario.target).map((i) => i.id);
      for (const id of ids) system.setFault(id, scenario.fault ?? { kind: "blackhole" });
      return {
        ...base,
        end: async () => {
          for (const id of ids) system.setFault(id, { kind: "pass" });
        },
      };
    }
    case "deletion":
      return await startDeletion(workload.deletion?.find((d) => d.store === scenario.target) as DeletionHook, context, {
        clock,
      });
    case "query-of-death":
      return startPoison(system, workload, { clock });
  }
}

async function startDeletion(
  hook: DeletionHook,
  context: WorkloadContext,
  options: { clock: Clock },
): Promise<ActiveFault> {
  const { clock } = options;
  const before = await hook.count(context);
  const deleted = await hook.delete(context);
  let outcome: ReturnType<ActiveFault["deletion"]> = null;
  let restoredAt: number | null = null;
  return {
    end: async () => {
      const startAt = clock.now();
      const restored = await hook.restore(context);
      restoredAt = clock.now();
      const after = await hook.count(context);
      outcome = { deleted, restored, before, after, restoreMs: restoredAt - startAt, mechanism: hook.mechanism };
    },
    deletion: () => outcome,
    restoredAt: () => restoredAt,
    sent: () => 0,
  };
}

/** Sends the query of death at the front door once a second until the fault ends (a user retrying the page). */
function startPoison(system: DrillSystem, workload: Workload, options: { clock: Clock }): ActiveFault {
  const { clock } = options;
  const poison = workload.queryOfDeath as NonNullable<Workload["queryOfDeath"]>;
  const stop = new AbortController();
  const agent = new Agent({ connections: 8 });
  let sent = 0;
  const url = /^https?:\/\//.test(poison.request.path)
    ? poison.request.path
    : `${system.frontDoor}${poison.request.path}`;
  const loop = (async () => {
    while (!stop.signal.aborted) {
      sent++;
      void request(url, {
        method: (poison.request.method ?? "GET") as "GET",
        dispatcher: agent,
        signal: AbortSignal.timeout(5000),
        ...(poison.request.body !== undefined && { body: JSON.stringify(poison.request.body) }),
      })
        .then((r) => r.body.dump())
        .catch(() => {});
      await clock.sleep(1000, stop.signal).catch(() => {});
    }
  })();
  return {
    end: async () => {
      stop.abort();
      await loop;
      await agent.close().catch(() => {});
    },
    deletion: () => null,
    restoredAt: () => null,
    sent: () => sent,
  };
}
