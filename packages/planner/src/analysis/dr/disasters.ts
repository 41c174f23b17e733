import { NinesError } from "@nines/core";
import type { Disaster, Service, Store } from "../../model.js";
import type { DisasterResult, Finding } from "../../result.js";
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
 * `dr-unrecoverable` (error, alone) findings with a `scenario` field.
 *
 * @example
 * const { disasters, findings } = analyzeDisasters(topology);
 * disasters[0]?.mechanism; // "sync-replica"
 */
export function analyzeDisasters(topology: Topology): { disasters: DisasterResult[]; findings: Finding[] } {
  const disasters: DisasterResult[] = [];
  const findings: Finding[] = [];
  for (const d of topology.spec.disasters) {
    const candidates =
      d.subjectKind === "store"
        ? storeMechanisms(topology, requireStore(topology, d), d.kind, d.via)
        : serviceMechanisms(topology, requireService(topology, d), d.kind);
    const { chosen, met } = chooseMechanism(candidates, { rpo: d.rpo, rto: d.rto });
    disasters.push({
      subject: d.subject,
      subjectKind: d.subjectKind,
      scenario: d.scenario,
      kind: d.kind,
      priority: d.priority,
      rpo: { objective: d.rpo, achieved: chosen?.rpo ?? null },
      rto: { objective: d.rto, achieved: chosen?.rto ?? null },
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
          `${head}: nothing in the spec recovers it: ${unrecoverableChange(d)}`,
          { scenario: d.scenario },
        ),
      );
      continue;
    }
    if (chosen.rpo > d.rpo) {
      findings.push(
        finding(
          "dr-rpo",
          severity,
          d.subject,
          `${head}: recovery by ${chosen.mechanism} loses up to ${duration(chosen.rpo)} of data (RPO), objective ${duration(d.rpo)}: ${rpoChange(d)}`,
          { scenario: d.scenario, achieved: chosen.rpo, objective: d.rpo, mechanism: chosen.mechanism },
        ),
      );
    }
    if (chosen.rto > d.rto) {
      findings.push(
        finding(
          "dr-rto",
          severity,
          d.subject,
          `${head}: recovery by ${chosen.mechanism} takes ${duration(chosen.rto)} (RTO), objective ${duration(d.rto)}: ${rtoChange(d)}`,
          { scenario: d.scenario, achieved: chosen.rto, objective: d.rto, mechanism: chosen.mechanism },
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

function wrongSubject(d: Disaster, kind: string): NinesError {
  return new NinesError(
    "NINES_PLANNER_UNKNOWN_NAME",
    `planner: disasters[${d.index}] names ${kind} "${d.subject}", which is not declared`,
    {
      hint: `name a declared ${kind}; parse specs with loadSpec, which checks names`,
    },
  );
}

function unrecoverableChange(d: Disaster): string {
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
      return "move backups to a multi-region location (backups.at: multi-region) or add a replica in another region";
  }
}

function rpoChange(d: Disaster): string {
  if (d.subjectKind === "service") return "services keep no data: set rpo: 0";
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

function rtoChange(d: Disaster): string {
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
      return "add a replica or a hot standby in another region, or make restores faster";
    default:
      return "add a replica in another zone with automatic failover";
  }
}
