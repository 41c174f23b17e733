import type { BackupLocation, Spec, Store } from "../model.js";
import type { DisasterResult, PlanResult } from "../result.js";
import { fromSeconds } from "../result-seconds.js";
import { formatDuration } from "./format.js";

/** One row of the course's DR table: Service / Scenario / RPO / RTO / Priority, with what the spec achieves. */
export interface ScenarioRow {
  subject: string;
  scenario: string;
  kind: DisasterResult["kind"];
  rpo: string;
  rto: string;
  priority: DisasterResult["priority"];
  achievedRpo: string;
  achievedRto: string;
  /** How it recovers, for people ("sync replica"), or "none". */
  mechanism: string;
  met: boolean;
  /** The latest drill, measured next to the plan ("RTO 2s, 0 writes lost, met, 2026-11-29"); absent without evidence. */
  measured?: string;
}

/** One row of the course's table Resource / Backup strategy / Backup location / Recovery procedure. */
export interface ResourceRow {
  resource: string;
  strategy: string;
  location: string;
  procedure: string;
}

const MECHANISMS: Record<NonNullable<DisasterResult["mechanism"]>, string> = {
  "lazy-deletion": "lazy deletion",
  "log-and-backups": "log + backups",
  backups: "backups",
  rebuild: "rebuild",
  managed: "managed",
  "sync-replica": "sync replica",
  "async-replica": "async replica",
  "spare-capacity": "spare capacity",
  restart: "restart",
  standby: "standby",
  replication: "replication",
};

/** A result's duration (seconds, or null) for people. */
function seconds(value: number | null): string {
  return formatDuration(value === null ? null : fromSeconds(value));
}

/**
 * The scenario table rows, in the result's order, with durations for people.
 *
 * @example
 * scenarioRows(result)[0]; // { subject: "orders-db", rpo: "0", rto: "5m", achievedRto: "1m", met: true, ... }
 */
export function scenarioRows(result: PlanResult): ScenarioRow[] {
  return result.disasters.map((d) => ({
    subject: d.subject,
    scenario: d.scenario,
    kind: d.kind,
    rpo: seconds(d.rpo.objective),
    rto: seconds(d.rto.objective),
    priority: d.priority,
    achievedRpo: seconds(d.rpo.achieved),
    achievedRto: seconds(d.rto.achieved),
    mechanism: d.mechanism === null ? "none" : MECHANISMS[d.mechanism],
    met: d.met,
    ...(d.measured && {
      measured: `RTO ${seconds(d.measured.rto)}, ${d.measured.lostWrites} writes lost, ${d.measured.verdict}, ${d.measured.date}`,
    }),
  }));
}

/**
 * Where backups or logs are kept, for people.
 *
 * @example
 * describeLocation({ kind: "region", region: "europe-west2" }); // "europe-west2"
 */
export function describeLocation(at: BackupLocation): string {
  return at.kind === "region" ? at.region : at.kind;
}

function strategy(store: Store): string[] {
  const parts: string[] = [];
  if (store.managed && store.replica === null) parts.push(`managed ${store.engine} (${store.location ?? "regional"})`);
  if (store.replica) {
    const mode = store.replica.sync ? "sync" : `async, lag ${formatDuration(store.replica.lagMs)}`;
    parts.push(`replica in ${store.replica.zone} (${mode})`);
  }
  if (store.replicate) parts.push(`replicated every ${formatDuration(store.replicate.intervalMs)}`);
  if (store.backups) parts.push(`backups every ${formatDuration(store.backups.intervalMs)}`);
  if (store.log) parts.push(`log every ${formatDuration(store.log.intervalMs)}`);
  if (store.deletion) {
    parts.push(
      `lazy deletion (trash ${formatDuration(store.deletion.trashMs)}, soft ${formatDuration(store.deletion.softMs)})`,
    );
  }
  if (store.rebuildMs !== null) parts.push(`rebuildable from sources`);
  if (store.standby) parts.push(`${store.standby.kind} standby in ${store.standby.region}`);
  return parts;
}

function locations(store: Store): string[] {
  const out: string[] = [];
  if (store.replicate) out.push(`replicas: ${store.replicate.at.map(describeLocation).join(", ")}`);
  if (store.backups) out.push(`backups: ${describeLocation(store.backups.at)}`);
  if (store.log) out.push(`log: ${describeLocation(store.log.at)}`);
  if (out.length === 0 && store.managed) out.push(`data: ${store.location ?? store.zone ?? "managed"}`);
  return out;
}

function procedures(store: Store): string[] {
  const out: string[] = [];
  // After a region loss, restores run on the standby: a cold one is provisioned first.
  const standby = store.standby;
  const onStandby =
    standby === null
      ? ""
      : standby.kind === "cold"
        ? `, onto the cold standby in ${standby.region} after ${formatDuration(standby.provisionMs)} to provision it`
        : `, onto the hot standby in ${standby.region}`;
  if (store.deletion) out.push(`undelete from trash (${formatDuration(store.deletion.restoreMs)})`);
  if (store.replica) out.push(`fail over to the replica (${formatDuration(store.replica.failoverMs)})`);
  if (store.replicate) {
    out.push(`point-in-time restore from a replica (${formatDuration(store.replicate.restoreMs)}${onStandby})`);
  }
  if (store.backups) {
    const pitr = store.log ? "point-in-time restore from backups + log" : "restore the latest backup";
    const tested = store.backups.tested ? `tested ${store.backups.tested}` : "never tested";
    out.push(`${pitr} (${formatDuration(store.backups.restoreMs)}, ${tested}${onStandby})`);
  }
  if (store.rebuildMs !== null) out.push(`rebuild from sources (${formatDuration(store.rebuildMs)})`);
  if (out.length === 0 && store.managed) out.push("provider's failover");
  return out;
}

/**
 * The resource table rows, one per store, derived from the model: what
 * protects it, where copies are kept, and the ordered recovery procedure.
 *
 * @example
 * resourceRows(spec)[0]; // { resource: "orders-db", strategy: "replica in us-central1-f (sync); backups every 1d; ...", ... }
 */
export function resourceRows(spec: Spec): ResourceRow[] {
  return spec.stores.map((store) => ({
    resource: store.name,
    strategy: strategy(store).join("; ") || "none",
    location: locations(store).join("; ") || "none",
    procedure: procedures(store).join("; else ") || "none: the data cannot be recovered",
  }));
}
