import type { Store } from "../../model.js";
import type { DurabilityResult } from "../../result.js";
import { toSeconds } from "../../result-seconds.js";
import { storeMechanisms } from "../dr/store-mechanisms.js";
import { describeLocation } from "../rules/store-rules.js";
import type { Topology } from "../topology/topology.js";

const THREATS = [
  { threat: "deletion", kind: "deletion", via: "application" },
  { threat: "raw-deletion", kind: "deletion", via: "database" },
  { threat: "crash", kind: "crash", via: "application" },
  { threat: "zone-outage", kind: "zone-outage", via: "application" },
  { threat: "region-outage", kind: "region-outage", via: "application" },
] as const;

/**
 * Durability of one store, the course's second key metric: for each threat
 * (a deletion through the application, a raw deletion in the database, a
 * crash, a zone outage, a region outage) every mechanism in the spec that
 * recovers it (the table of docs/planner-model.md) and the best achievable RPO (the
 * smallest; the smaller RTO breaks ties) with its RTO. `protected: false`
 * means the data is lost to that threat. Durations in seconds, as the
 * result's JSON gives them.
 *
 * @example
 * durability(topology, ordersDb).threats.find((t) => t.threat === "crash")?.rpo; // 0
 */
export function durability(topology: Topology, store: Store): DurabilityResult {
  return {
    store: store.name,
    engine: store.engine,
    managed: store.managed,
    location: store.location ?? store.zone,
    replica: store.replica === null ? null : { zone: store.replica.zone, sync: store.replica.sync },
    backups:
      store.backups === null
        ? null
        : {
            every: toSeconds(store.backups.intervalMs),
            at: describeLocation(store.backups.at),
            restore: toSeconds(store.backups.restoreMs),
            tested: store.backups.tested,
          },
    log: store.log === null ? null : { every: toSeconds(store.log.intervalMs), at: describeLocation(store.log.at) },
    replicate:
      store.replicate === null
        ? null
        : {
            at: store.replicate.at.map(describeLocation),
            interval: toSeconds(store.replicate.intervalMs),
            restore: toSeconds(store.replicate.restoreMs),
          },
    lazyDeletion:
      store.deletion === null
        ? null
        : {
            trash: toSeconds(store.deletion.trashMs),
            soft: toSeconds(store.deletion.softMs),
            restore: toSeconds(store.deletion.restoreMs),
          },
    rebuild: store.rebuildMs === null ? null : toSeconds(store.rebuildMs),
    threats: THREATS.map(({ threat, kind, via }) => {
      const mechanisms = storeMechanisms(topology, store, kind, via);
      const best = mechanisms.reduce<(typeof mechanisms)[number] | null>(
        (a, m) => (a === null || m.rpoMs < a.rpoMs || (m.rpoMs === a.rpoMs && m.rtoMs < a.rtoMs) ? m : a),
        null,
      );
      return {
        threat,
        protected: best !== null,
        mechanism: best?.mechanism ?? null,
        rpo: best === null ? null : toSeconds(best.rpoMs),
        rto: best === null ? null : toSeconds(best.rtoMs),
        mechanisms: mechanisms.map((m) => ({
          mechanism: m.mechanism,
          rpo: toSeconds(m.rpoMs),
          rto: toSeconds(m.rtoMs),
        })),
      };
    }),
  };
}
