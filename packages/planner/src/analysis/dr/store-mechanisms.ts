import type { BackupLocation, DisasterKind, Store } from "../../model.js";
import type { Topology } from "../topology/topology.js";
import type { Mechanism } from "./mechanism.js";

/** Catalog engines (docs/spec.md, "Catalog"); `cloud-sql` HA recovers through its replica, not as "managed". */
const CATALOG_ENGINES = new Set(["global-http-lb", "cloud-storage", "firestore", "spanner", "bigquery", "cloud-sql"]);
const SPREAD_LOCATIONS = new Set(["dual-region", "multi-region", "global"]);

function survivesZoneLoss(at: BackupLocation): boolean {
  return at.kind !== "same-zone";
}

function outsideRegion(at: BackupLocation, region: string | null): boolean {
  if (at.kind === "same-zone" || at.kind === "same-region") return false;
  if (at.kind === "region") return at.region !== region;
  return true;
}

/**
 * Every mechanism in the store's spec that recovers a scenario of `kind`,
 * in the preference order of the DR table of docs/planner-model.md ("What recovers a
 * disaster"), with the RPO and RTO each achieves:
 * - deletion: lazy deletion (not for `via: database`), replication,
 *   point-in-time log + backups, backups, rebuild; a replica never
 *   recovers a deletion;
 * - crash, zone outage: a managed catalog engine other than cloud-sql, a
 *   replica in another zone (sync: RPO 0, async: its lag; RTO failover),
 *   then replication, log, backups, rebuild as for deletion (copies kept
 *   `same-zone` do not survive a zone outage);
 * - region outage: a managed engine located dual-region, multi-region or
 *   global, a replica in another region, replication, log + backups and
 *   backups kept outside the store's region (RTO restore, plus
 *   provisioning for a cold standby: the restore runs there), rebuild (its
 *   sources are assumed to survive).
 * Replication (`replicate`, an extension of the DR table) recovers
 * from a replica kept where the loss leaves it: RPO its interval, RTO its
 * restore; it ranks before the log, whose RPO is coarser. A log without
 * backups is no mechanism.
 *
 * @example
 * storeMechanisms(topology, ordersDb, "crash", "application");
 * // [{ mechanism: "sync-replica", rpoMs: 0, rtoMs: 60000 }, { mechanism: "log-and-backups", ... }, ...]
 */
export function storeMechanisms(
  topology: Topology,
  store: Store,
  kind: DisasterKind,
  via: "application" | "database" = "application",
): Mechanism[] {
  const out: Mechanism[] = [];
  const { backups, log, replicate } = store;
  const catalogManaged = store.managed && CATALOG_ENGINES.has(store.engine) && store.engine !== "cloud-sql";
  const fromCopies = (keep: (at: BackupLocation) => boolean, extraRtoMs: number): void => {
    if (replicate?.at.some(keep)) {
      out.push({ mechanism: "replication", rpoMs: replicate.intervalMs, rtoMs: replicate.restoreMs + extraRtoMs });
    }
    if (backups !== null && keep(backups.at)) {
      if (log !== null && keep(log.at)) {
        out.push({ mechanism: "log-and-backups", rpoMs: log.intervalMs, rtoMs: backups.restoreMs + extraRtoMs });
      }
      out.push({ mechanism: "backups", rpoMs: backups.intervalMs, rtoMs: backups.restoreMs + extraRtoMs });
    }
    if (store.rebuildMs !== null) out.push({ mechanism: "rebuild", rpoMs: 0, rtoMs: store.rebuildMs });
  };
  const replica = store.replica;
  const replicaMechanism = (): Mechanism | null =>
    replica === null
      ? null
      : replica.sync
        ? { mechanism: "sync-replica", rpoMs: 0, rtoMs: replica.failoverMs }
        : { mechanism: "async-replica", rpoMs: replica.lagMs, rtoMs: replica.failoverMs };

  switch (kind) {
    case "deletion":
      if (via === "application" && store.deletion !== null) {
        out.push({ mechanism: "lazy-deletion", rpoMs: 0, rtoMs: store.deletion.restoreMs });
      }
      fromCopies(() => true, 0);
      break;
    case "crash":
    case "zone-outage": {
      if (catalogManaged) out.push({ mechanism: "managed", rpoMs: 0, rtoMs: 0 });
      const r = replicaMechanism();
      if (r !== null && replica !== null && replica.zone !== store.zone) out.push(r);
      fromCopies(kind === "zone-outage" ? survivesZoneLoss : () => true, 0);
      break;
    }
    case "region-outage": {
      if (catalogManaged && store.location !== null && SPREAD_LOCATIONS.has(store.location)) {
        out.push({ mechanism: "managed", rpoMs: 0, rtoMs: 0 });
      }
      const region = topology.storeRegion(store);
      const r = replicaMechanism();
      if (r !== null && replica !== null && region !== null && topology.regionOfZone(replica.zone) !== region) {
        out.push(r);
      }
      const provisionMs = store.standby?.kind === "cold" ? store.standby.provisionMs : 0;
      fromCopies((at) => outsideRegion(at, region), provisionMs);
      break;
    }
  }
  return out;
}
