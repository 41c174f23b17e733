import type { BackupLocation, Store } from "../../model.js";
import type { Finding } from "../../result.js";
import type { Topology } from "../topology/topology.js";
import { finding } from "./findings.js";

const DAY_MS = 86_400_000;

/**
 * A backup location as written in the spec.
 *
 * @example
 * describeLocation({ kind: "region", region: "us-central1" }); // "us-central1"
 */
export function describeLocation(at: BackupLocation): string {
  return at.kind === "region" ? at.region : at.kind;
}

/**
 * The store rules of docs/planner-model.md: `backup-colocated` (error: backups kept
 * `same-zone`, `same-region` or in the store's own region),
 * `restore-untested` (warning: backups whose `tested` date is missing or
 * more than 365 days before `asOf`; a date after `asOf` is rejected
 * earlier, by `validateAsOf`) and
 * `no-lazy-deletion` (warning: `userData: true` without `deletion`).
 *
 * @example
 * storeRules(topology, store, "2026-11-29").map((f) => f.rule); // ["restore-untested"]
 */
export function storeRules(topology: Topology, store: Store, asOf: string): Finding[] {
  const out: Finding[] = [];
  const name = store.name;
  const backups = store.backups;
  if (backups !== null) {
    const region = topology.storeRegion(store);
    const at = backups.at;
    if (at.kind === "same-zone" || at.kind === "same-region" || (at.kind === "region" && at.region === region)) {
      const where = at.kind === "same-zone" ? "zone" : "region";
      out.push(
        finding(
          "backup-colocated",
          "error",
          name,
          `${name} keeps its backups in the same ${where} as its data (${describeLocation(at)}), so losing that ${where} loses both: move backups to a multi-region location (backups.at: multi-region)`,
        ),
      );
    }
    const tested = backups.tested;
    if (tested === null) {
      out.push(
        finding(
          "restore-untested",
          "warning",
          name,
          `${name}'s backups have never been restored in a test, so nobody knows they work: restore one, check it, and record the date (backups.tested)`,
        ),
      );
    } else {
      const age = (Date.parse(asOf) - Date.parse(tested)) / DAY_MS;
      if (age > 365) {
        out.push(
          finding(
            "restore-untested",
            "warning",
            name,
            `${name}'s last restore test was ${tested}, ${Math.floor(age)} days before ${asOf} (more than 365): restore a backup again, check it, and record the date`,
            { tested, ageDays: Math.floor(age) },
          ),
        );
      }
    }
  }
  if (store.userData && store.deletion === null) {
    out.push(
      finding(
        "no-lazy-deletion",
        "warning",
        name,
        `${name} holds user data but deletes at once, so a mistaken delete is lost beyond the last backup: add lazy deletion phases (deletion: { trash: 30d, soft: 30d, restore: 15m })`,
      ),
    );
  }
  return out;
}
