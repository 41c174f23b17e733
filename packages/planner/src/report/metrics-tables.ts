import type { Spec } from "../model.js";
import type { DurabilityResult, PlanResult, Threat } from "../result.js";
import { fromSeconds } from "../result-seconds.js";
import { formatDuration, formatRatio } from "./format.js";

/** The threats of the durability table, in column order. */
export const THREATS: readonly Threat[] = ["deletion", "raw-deletion", "crash", "zone-outage", "region-outage"];

export interface DurabilityRow {
  store: string;
  where: string;
  /** One cell per {@link THREATS}: "RPO 5m via log-and-backups" or "unprotected". */
  threats: { text: string; protected: boolean }[];
}

export interface ScalabilityRow {
  service: string;
  load: string;
  capacity: string;
  instances: string;
  headroom: string;
  autoscale: string;
  /** False when even the autoscaling maximum cannot carry the peak load. */
  ok: boolean;
}

const rps = (n: number): string => `${n.toLocaleString("en-US")} req/s`;

/** An autoscaling target for people: a utilization percent, or a rate. */
function target(metric: string, value: number): string {
  if (metric === "cpu" || metric === "memory") return `${metric} ${Math.round(value <= 1 ? value * 100 : value)}%`;
  if (metric === "requests-per-second") return `${value.toLocaleString("en-US")} req/s per instance`;
  return `${metric} ${value}`;
}

/**
 * The durability table (course key metric 2): per store, what protects it
 * against each threat and the RPO achievable. Empty when the result has no
 * durability section.
 *
 * @example
 * durabilityRows(result)[0]?.threats[2]; // { text: "RPO 0 (sync-replica)", protected: true }
 */
export function durabilityRows(result: PlanResult): DurabilityRow[] {
  return (result.durability ?? []).map((d: DurabilityResult) => ({
    store: d.store,
    where: `${d.engine}${d.location ? ` · ${d.location}` : ""}`,
    threats: THREATS.map((threat) => {
      const t = d.threats.find((x) => x.threat === threat);
      if (!t?.protected) return { text: "unprotected", protected: false };
      const rpo = t.rpo === null ? null : fromSeconds(t.rpo);
      return { text: `RPO ${formatDuration(rpo)} (${t.mechanism ?? "?"})`, protected: true };
    }),
  }));
}

/**
 * The scalability table (course key metric 3): headroom at peak and the
 * autoscaling limit against load. Uses the result's scalability section,
 * else derives the same figures from the spec.
 *
 * @example
 * scalabilityRows(spec, result)[0]; // { service: "web", headroom: "2.00x", autoscale: "requests-per-second 350, max 16 → 8,000 req/s (4.00x)", ... }
 */
export function scalabilityRows(spec: Spec, result: PlanResult): ScalabilityRow[] {
  if (result.scalability) {
    return result.scalability.map((s) => ({
      service: s.service,
      load: rps(s.load),
      capacity: rps(s.capacity),
      instances: `${s.instances} (${s.needed} needed)`,
      headroom: formatRatio(s.headroom ?? Number.POSITIVE_INFINITY),
      autoscale: s.autoscale
        ? `${target(s.autoscale.metric, s.autoscale.target)}, max ${s.autoscale.max} → ${rps(s.autoscale.maxCapacity)} (${formatRatio(s.autoscale.headroomAtMax ?? Number.POSITIVE_INFINITY)})`
        : "none",
      ok: s.autoscale ? s.autoscale.coversLoad : (s.headroom ?? Number.POSITIVE_INFINITY) >= 1,
    }));
  }
  return spec.services.map((s) => {
    const instances = s.instances * s.zones.length;
    const capacity = instances * s.capacity;
    const needed = Math.max(1, Math.ceil(s.load / s.capacity));
    const headroom = s.load === 0 ? Number.POSITIVE_INFINITY : capacity / s.load;
    const maxCapacity = s.autoscale ? s.autoscale.max * s.capacity : 0;
    return {
      service: s.name,
      load: rps(s.load),
      capacity: rps(capacity),
      instances: `${instances} (${needed} needed)`,
      headroom: formatRatio(headroom),
      autoscale: s.autoscale
        ? `${target(s.autoscale.metric, s.autoscale.target)}, max ${s.autoscale.max} → ${rps(maxCapacity)}`
        : "none",
      ok: s.autoscale ? maxCapacity >= s.load : headroom >= 1,
    };
  });
}
