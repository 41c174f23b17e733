import type { BackupLocation, Spec, Store } from "../model.js";
import type { DisasterResult, PlanResult } from "../result.js";
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
};

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
    rpo: formatDuration(d.rpo.objective),
    rto: formatDuration(d.rto.objective),
    priority: d.priority,
    achievedRpo: formatDuration(d.rpo.achieved),
    achievedRto: formatDuration(d.rto.achieved),
    mechanism: d.mechanism === null ? "none" : MECHANISMS[d.mechanism],
    met: d.met,
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
    const mode = store.replica.sync ? "sync" : `async, lag ${formatDuration(store.replica.lag)}`;
    parts.push(`replica in ${store.replica.zone} (${mode})`);
  }
  if (store.backups) parts.push(`backups every ${formatDuration(store.backups.every)}`);
  if (store.log) parts.push(`log every ${formatDuration(store.log.every)}`);
  if (store.deletion) {
    parts.push(
      `lazy deletion (trash ${formatDuration(store.deletion.trash)}, soft ${formatDuration(store.deletion.soft)})`,
    );
  }
  if (store.rebuild !== null) parts.push(`rebuildable from sources`);
  if (store.standby) parts.push(`${store.standby.kind} standby in ${store.standby.region}`);
  return parts;
}

function locations(store: Store): string[] {
  const out: string[] = [];
  if (store.backups) out.push(`backups: ${describeLocation(store.backups.at)}`);
  if (store.log) out.push(`log: ${describeLocation(store.log.at)}`);
  if (out.length === 0 && store.managed) out.push(`data: ${store.location ?? store.zone ?? "managed"}`);
  return out;
}

function procedures(store: Store): string[] {
  const out: string[] = [];
  if (store.deletion) out.push(`undelete from trash (${formatDuration(store.deletion.restore)})`);
  if (store.replica) out.push(`fail over to the replica (${formatDuration(store.replica.failover)})`);
  if (store.backups) {
    const pitr = store.log ? "point-in-time restore from backups + log" : "restore the latest backup";
    const tested = store.backups.tested ? `tested ${store.backups.tested}` : "never tested";
    out.push(`${pitr} (${formatDuration(store.backups.restore)}, ${tested})`);
  }
  if (store.rebuild !== null) out.push(`rebuild from sources (${formatDuration(store.rebuild)})`);
  if (store.standby) {
    out.push(`bring up the ${store.standby.kind} standby (${formatDuration(store.standby.provision)})`);
  }
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
