import type { Store } from "../../model.js";
import type { DurabilityResult } from "../../result.js";
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
 * recovers it (the table of `spec.md`) and the best achievable RPO (the
 * smallest; the smaller RTO breaks ties) with its RTO. `protected: false`
 * means the data is lost to that threat.
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
            every: store.backups.every,
            at: describeLocation(store.backups.at),
            restore: store.backups.restore,
            tested: store.backups.tested,
          },
    log: store.log === null ? null : { every: store.log.every, at: describeLocation(store.log.at) },
    lazyDeletion: store.deletion,
    rebuild: store.rebuild,
    threats: THREATS.map(({ threat, kind, via }) => {
      const mechanisms = storeMechanisms(topology, store, kind, via);
      const best = mechanisms.reduce<(typeof mechanisms)[number] | null>(
        (a, m) => (a === null || m.rpo < a.rpo || (m.rpo === a.rpo && m.rto < a.rto) ? m : a),
        null,
      );
      return {
        threat,
        protected: best !== null,
        mechanism: best?.mechanism ?? null,
        rpo: best?.rpo ?? null,
        rto: best?.rto ?? null,
        mechanisms,
      };
    }),
  };
}
