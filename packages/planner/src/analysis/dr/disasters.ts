import { PLANNER_ERRORS, PlannerError } from "../../errors.js";
import type { Disaster, Service, Store } from "../../model.js";
import type { DisasterResult, Finding } from "../../result.js";
import { toSeconds } from "../../result-seconds.js";
import { finding } from "../rules/findings.js";
import { duration } from "../rules/format.js";
import type { Topology } from "../topology/topology.js";
import { chooseMechanism } from "./mechanism.js";
import { serviceMechanisms } from "./service-recovery.js";
import { storeMechanisms } from "./store-mechanisms.js";

/**
 * Evaluates every disaster scenario of the spec: the achieved RPO and RTO
 * of the chosen mechanism (see {@link chooseMechanism}), met or missed, and
 * the `dr-rpo`, `dr-rto` (error for high priority, warning otherwise) and
 * `dr-unrecoverable` (error, alone) findings with a `scenario` field. The
 * result carries seconds (the JSON of docs/plan.md); the analysis milliseconds.
 *
 * @example
 * const { disasters, findings } = analyzeDisasters(topology);
 * disasters[0]?.mechanism; // "sync-replica"
 */
export function analyzeDisasters(topology: Topology): { disasters: DisasterResult[]; findings: Finding[] } {
  const disasters: DisasterResult[] = [];
  const findings: Finding[] = [];
  for (const d of topology.spec.disasters) {
    const store = d.subjectKind === "store" ? requireStore(topology, d) : null;
    const candidates =
      store !== null
        ? storeMechanisms(topology, store, d.kind, d.via)
        : serviceMechanisms(topology, requireService(topology, d), d.kind);
    const { chosen, met } = chooseMechanism(candidates, { rpoMs: d.rpoMs, rtoMs: d.rtoMs });
    disasters.push({
      subject: d.subject,
      subjectKind: d.subjectKind,
      scenario: d.scenario,
      kind: d.kind,
      priority: d.priority,
      rpo: { objective: toSeconds(d.rpoMs), achieved: chosen === null ? null : toSeconds(chosen.rpoMs) },
      rto: { objective: toSeconds(d.rtoMs), achieved: chosen === null ? null : toSeconds(chosen.rtoMs) },
      mechanism: chosen?.mechanism ?? null,
      met,
    });
    const severity = d.priority === "high" ? "error" : "warning";
    const head = `"${d.scenario}" (${d.subject}, ${d.kind}${d.via === "database" && d.kind === "deletion" ? " via database" : ""})`;
    if (chosen === null) {
      findings.push(
        finding(
          "dr-unrecoverable",
          "error",
          d.subject,
          `${head}: nothing in the spec recovers it: ${unrecoverableChange(d, store)}`,
          { scenario: d.scenario },
        ),
      );
      continue;
    }
    const by = `recovery by ${chosen.mechanism}${onStandby(d, store, chosen.mechanism)}`;
    if (chosen.rpoMs > d.rpoMs) {
      findings.push(
        finding(
          "dr-rpo",
          severity,
          d.subject,
          `${head}: ${by} loses up to ${duration(chosen.rpoMs)} of data (RPO), objective ${duration(d.rpoMs)}: ${rpoChange(d, store)}`,
          {
            scenario: d.scenario,
            achieved: toSeconds(chosen.rpoMs),
            objective: toSeconds(d.rpoMs),
            mechanism: chosen.mechanism,
          },
        ),
      );
    }
    if (chosen.rtoMs > d.rtoMs) {
      findings.push(
        finding(
          "dr-rto",
          severity,
          d.subject,
          `${head}: ${by} takes ${duration(chosen.rtoMs)} (RTO), objective ${duration(d.rtoMs)}: ${rtoChange(d, store)}`,
          {
            scenario: d.scenario,
            achieved: toSeconds(chosen.rtoMs),
            objective: toSeconds(d.rtoMs),
            mechanism: chosen.mechanism,
          },
        ),
      );
    }
  }
  return { disasters, findings };
}

function requireStore(topology: Topology, d: Disaster): Store {
  const store = topology.store(d.subject);
  if (store === undefined) throw wrongSubject(d, "store");
  return store;
}

function requireService(topology: Topology, d: Disaster): Service {
  const service = topology.service(d.subject);
  if (service === undefined) throw wrongSubject(d, "service");
  return service;
}

function wrongSubject(d: Disaster, kind: string): PlannerError {
  return new PlannerError(
    PLANNER_ERRORS.unknownName,
    `planner: disasters[${d.index}] names ${kind} "${d.subject}", which is not declared`,
    {
      hint: `name a declared ${kind}; parse specs with loadSpec, which checks names`,
    },
  );
}

/** Restores after a region loss run on the store's standby: say so, with a cold one's provisioning time. */
function onStandby(d: Disaster, store: Store | null, mechanism: string): string {
  const standby = store?.standby;
  if (d.kind !== "region-outage" || !standby || !RESTORES.has(mechanism)) return "";
  return standby.kind === "cold"
    ? ` onto the cold standby in ${standby.region} (provisioned first: ${duration(standby.provisionMs)})`
    : ` onto the hot standby in ${standby.region}`;
}

/** Mechanisms that restore copies onto a server (which, after a region loss, is the standby). */
const RESTORES = new Set(["replication", "log-and-backups", "backups"]);

function unrecoverableChange(d: Disaster, store: Store | null): string {
  if (d.subjectKind === "service") {
    return d.kind === "region-outage"
      ? "run it in a second region or add a standby there (standby: { kind: hot, region: ... })"
      : "set health.autoheal: true and run it in more than one zone";
  }
  switch (d.kind) {
    case "deletion":
      return d.via === "database"
        ? "take backups (backups: { every: 1h, at: multi-region, restore: 30m }) and archive the log"
        : "add lazy deletion (deletion: { trash: 30d, soft: 30d, restore: 15m }) and backups kept in a multi-region location";
    case "crash":
      return "add a replica in another zone (replica: { zone: ..., sync: true, failover: 60s }) and backups";
    case "zone-outage":
      return "add a replica in another zone, or backups kept outside the zone (backups.at: multi-region)";
    case "region-outage":
      return store?.standby
        ? `the standby in ${store.standby.region} has no data to restore: keep backups in a multi-region location (backups.at: multi-region) or add a replica in another region`
        : "move backups to a multi-region location (backups.at: multi-region) or add a replica in another region";
  }
}

function rpoChange(d: Disaster, store: Store | null): string {
  if (d.subjectKind === "service") return "services keep no data: set rpo: 0";
  if (store?.engine === "sqlite" && store.replicate === null) {
    return "replicate it continuously (replicate: { at: multi-region, restore: 5m }, an RPO of about a second)";
  }
  switch (d.kind) {
    case "deletion":
      return d.via === "database"
        ? "archive the log (log: 5m) for point-in-time recovery, or back up more often"
        : "add lazy deletion (deletion: { ... }), archive the log (log: 5m), or back up more often";
    case "region-outage":
      return "archive the log to another region (log: { every: 5m, at: multi-region }) or replicate to another region";
    default:
      return "add a synchronous replica in another zone, or archive the log (log: 5m)";
  }
}

function rtoChange(d: Disaster, store: Store | null): string {
  if (d.subjectKind === "service") {
    return d.kind === "crash"
      ? "run one more instance per zone so that the rest carries the load (spare capacity), or start faster"
      : d.kind === "zone-outage"
        ? "run enough instances per zone that the other zones carry the load (spare capacity)"
        : "add a hot standby in another region that carries the load";
  }
  switch (d.kind) {
    case "deletion":
      return "add lazy deletion (an undelete is fast) or make restores faster (smaller, tested restores)";
    case "region-outage":
      if (store?.standby?.kind === "cold") {
        return `make the standby in ${store.standby.region} hot (kind: hot) so that it need not be provisioned first, add a replica in another region, or make restores faster`;
      }
      return store?.standby
        ? "add a replica in another region (the standby still has to be restored), or make restores faster"
        : "add a replica or a hot standby in another region, or make restores faster";
    default:
      return "add a replica in another zone with automatic failover";
  }
}
