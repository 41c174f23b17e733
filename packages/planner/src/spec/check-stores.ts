import { CATALOG, catalogAvailability, catalogEntry, SELF_MANAGED_ENGINES, validLocations } from "./catalog.js";
import { checkStandby, checkZone } from "./check-services.js";
import { suggest } from "./closest-name.js";
import type { Declared } from "./declared.js";
import { entriesOf, mapping, type Problems, type Raw, text } from "./problem.js";
import { BACKUP_KEYWORDS } from "./schema.js";
import type { PathSegment } from "./source-map.js";

/** How a store is modelled, decided from its engine, `managed`, `sla` and replica. */
export type StoreClass = "catalog" | "cloud-sql" | "placed" | "explicit-sla";

/**
 * Classifies a store: a catalog engine other than cloud-sql is managed by
 * location; cloud-sql is placed on a zone (managed when it has an HA
 * replica); a known self-managed engine or one declared `managed: false` is
 * placed; another name with an explicit `sla` is managed by that figure.
 * Undefined when the engine is unknown.
 */
export function classifyStore(store: Raw): StoreClass | undefined {
  const engine = text(store["engine"]);
  if (engine === undefined) return undefined;
  const entry = catalogEntry(engine);
  if (engine === "cloud-sql") return "cloud-sql";
  if (entry && entry.use !== "edge" && store["managed"] !== false) return "catalog";
  if (SELF_MANAGED_ENGINES.includes(engine) || store["managed"] === false) return "placed";
  if (store["sla"] !== undefined && !entry) return "explicit-sla";
  return undefined;
}

const catalogStoreEngines = CATALOG.filter((e) => e.use !== "edge").map((e) => e.engine);

/**
 * Checks every store against the catalog and the platform: known engines,
 * catalog locations, zones for placed stores, replicas (another zone; for
 * cloud-sql synchronous and in the primary's region; `lag` when async),
 * backup and log locations, the standby's region.
 */
export function checkStores(raw: Raw, declared: Declared, problems: Problems): void {
  for (const [name, value] of entriesOf(raw["stores"])) {
    const store = mapping(value);
    if (!store) continue;
    const base = ["stores", name];
    const engine = text(store["engine"]);
    const kind = classifyStore(store);
    if (engine !== undefined && kind === undefined) {
      const entry = catalogEntry(engine);
      problems.add(
        [...base, "engine"],
        entry ? `engine "${engine}" is an edge component, not a store` : `unknown engine "${engine}"`,
        entry
          ? "declare it under edge"
          : `${suggest(engine, [...catalogStoreEngines, ...SELF_MANAGED_ENGINES], "catalog and self-managed engines")}; for another self-managed engine add managed: false`,
      );
    }
    const zone = text(store["zone"]);
    const placed = kind === "placed" || kind === "cloud-sql";
    if (placed) {
      if (store["zone"] === undefined) {
        problems.add(base, `store "${name}" (${engine}) is placed on a zone and needs zone`, "add zone: ZONE", "key");
      }
      if (store["location"] !== undefined) {
        problems.add(
          [...base, "location"],
          `location applies to managed engines; "${name}" (${engine}) is placed on a zone`,
          "remove location; the zone (and replica's zone) say where it runs",
          "key",
        );
      }
    }
    if (kind === "catalog") {
      for (const key of ["zone", "replica"] as const) {
        if (store[key] !== undefined) {
          problems.add(
            [...base, key],
            `${key} applies to placed stores; "${name}" (${engine}) is managed by location`,
            "remove it: the provider replicates a managed engine within its location",
            "key",
          );
        }
      }
      checkLocation(engine!, store["location"], base, declared, problems, true);
    }
    if (kind === "explicit-sla" && store["location"] !== undefined) {
      checkLocationName(text(store["location"]), [...base, "location"], declared, problems);
    }
    if (zone !== undefined) checkZone(zone, [...base, "zone"], declared, problems);
    checkReplica(mapping(store["replica"]), zone, engine, base, declared, problems);
    const backups = mapping(store["backups"]);
    checkBackupLocation(backups?.["at"], [...base, "backups", "at"], declared, problems);
    // A log without backups is valid (docs/spec.md: "no mechanism"); logWarnings says so.
    const log = mapping(store["log"]);
    if (log) checkBackupLocation(log["at"], [...base, "log", "at"], declared, problems);
    checkReplicate(mapping(store["replicate"]), engine, base, declared, problems);
    const ownRegion = zone !== undefined ? declared.zoneRegion.get(zone) : text(store["location"]);
    checkStandby(store["standby"], base, new Set(ownRegion ? [ownRegion] : []), declared, problems);
    const deletion = mapping(store["deletion"]);
    if (deletion && !(Number(parseLoose(deletion["trash"])) > 0) && !(Number(parseLoose(deletion["soft"])) > 0)) {
      problems.add(
        [...base, "deletion"],
        "deletion needs a phase: trash, soft or both longer than 0",
        "add trash: 30d (users can undo) and/or soft: 30d (operators can restore)",
        "key",
      );
    }
  }
}

/** Duration-ish values for presence checks; the schema reports bad ones. */
function parseLoose(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && !/^0+(\.0+)?(ms|s|m|h|d)?$/.test(value.trim())) return 1;
  return 0;
}

function checkReplica(
  replica: Raw | undefined,
  primary: string | undefined,
  engine: string | undefined,
  base: PathSegment[],
  declared: Declared,
  problems: Problems,
): void {
  if (!replica) return;
  const path = [...base, "replica"];
  const zone = text(replica["zone"]);
  if (zone !== undefined) {
    checkZone(zone, [...path, "zone"], declared, problems);
    if (zone === primary) {
      const others = declared.zones.filter((z) => z !== primary);
      problems.add(
        [...path, "zone"],
        `the replica is in "${zone}", the primary's zone`,
        `put the replica in another zone: ${others.join(", ") || "(declare another zone)"}`,
      );
    }
  }
  if (replica["sync"] === false && replica["lag"] === undefined) {
    problems.add(
      path,
      "an asynchronous replica (sync: false) needs lag",
      "add lag: DURATION, the worst-case lag",
      "key",
    );
  }
  if (replica["sync"] === true && replica["lag"] !== undefined) {
    problems.add(
      [...path, "lag"],
      "lag applies to asynchronous replicas (sync: false)",
      "remove lag or set sync: false",
      "key",
    );
  }
  if (engine === "cloud-sql") {
    if (replica["sync"] === false) {
      problems.add(
        [...path, "sync"],
        "a cloud-sql replica (HA) is synchronous",
        "write sync: true; for an asynchronous copy in another region use a self-managed engine or a standby",
      );
    }
    const primaryRegion = primary !== undefined ? declared.zoneRegion.get(primary) : undefined;
    const replicaRegion = zone !== undefined ? declared.zoneRegion.get(zone) : undefined;
    if (primaryRegion !== undefined && replicaRegion !== undefined && primaryRegion !== replicaRegion) {
      const same = declared.zones.filter((z) => declared.zoneRegion.get(z) === primaryRegion && z !== primary);
      problems.add(
        [...path, "zone"],
        `a cloud-sql replica (HA) is in the primary's region "${primaryRegion}", not "${replicaRegion}"`,
        `use a zone of ${primaryRegion}: ${same.join(", ") || "(declare another zone there)"}`,
      );
    }
  }
}

/** `replicate` ships an embedded store's log; its locations are checked like backups'. */
function checkReplicate(
  replicate: Raw | undefined,
  engine: string | undefined,
  base: PathSegment[],
  declared: Declared,
  problems: Problems,
): void {
  if (!replicate) return;
  if (engine !== undefined && engine !== "sqlite") {
    problems.add(
      [...base, "replicate"],
      `replicate applies to embedded stores (engine: sqlite); "${engine}" is not one`,
      engine === "postgres" || engine === "mysql"
        ? "archive the log instead (log: { every: 1m, at: multi-region }) or add a replica"
        : "remove replicate: a managed engine replicates within its location",
      "key",
    );
  }
  const at = replicate["at"];
  const list = Array.isArray(at) ? at : [at];
  list.forEach((value, i) => {
    const path = Array.isArray(at) ? [...base, "replicate", "at", i] : [...base, "replicate", "at"];
    checkBackupLocation(value, path, declared, problems);
  });
}

function checkBackupLocation(value: unknown, path: PathSegment[], declared: Declared, problems: Problems): void {
  const at = text(value);
  if (at === undefined) return;
  if ((BACKUP_KEYWORDS as readonly string[]).includes(at) || declared.regions.includes(at)) return;
  problems.add(
    path,
    `"${at}" is not a backup location`,
    suggest(at, [...BACKUP_KEYWORDS, ...declared.regions], "valid locations (keywords and declared regions)"),
  );
}

function checkLocationName(location: string | undefined, path: PathSegment[], declared: Declared, problems: Problems) {
  if (location === undefined) return;
  if (["dual-region", "multi-region", "global"].includes(location) || declared.regions.includes(location)) return;
  problems.add(
    path,
    `location "${location}" is neither a declared region nor dual-region, multi-region or global`,
    suggest(location, [...declared.regions, "dual-region", "multi-region", "global"], "valid locations"),
  );
}

/** A catalog engine's location: present (unless the catalog has one choice), known, and offered. */
function checkLocation(
  engine: string,
  value: unknown,
  base: PathSegment[],
  declared: Declared,
  problems: Problems,
  required: boolean,
): void {
  const valid = validLocations(engine);
  const location = text(value);
  if (value === undefined) {
    if (required) {
      problems.add(base, `${engine} needs a location`, `add location: one of ${valid.join(", ")}`, "key");
    }
    return;
  }
  if (location === undefined) return;
  const path = [...base, "location"];
  const isRegion = declared.regions.includes(location);
  if (!isRegion && !["dual-region", "multi-region", "global"].includes(location)) {
    checkLocationName(location, path, declared, problems);
    return;
  }
  if (catalogAvailability(engine, location, isRegion) === undefined) {
    problems.add(
      path,
      `${engine} is not offered at ${isRegion ? `a regional location ("${location}")` : location} in the catalog`,
      `valid locations for ${engine}: ${valid.join(", ")}`,
    );
  }
}

/** Edge components: catalog engines offered at their location, or any name with an explicit `sla`. */
export function checkEdge(raw: Raw, declared: Declared, problems: Problems): void {
  for (const [name, value] of entriesOf(raw["edge"])) {
    const edge = mapping(value);
    const engine = text(edge?.["engine"]);
    if (!edge || engine === undefined) continue;
    const base = ["edge", name];
    const entry = catalogEntry(engine);
    if (entry && entry.use === "store") {
      problems.add(
        [...base, "engine"],
        `engine "${engine}" is a store, not an edge component`,
        "declare it under stores",
      );
    } else if (entry) {
      checkLocation(engine, edge["location"], base, declared, problems, entry.locations.global === undefined);
    } else if (edge["sla"] === undefined) {
      const edgeEngines = CATALOG.filter((e) => e.use !== "store").map((e) => e.engine);
      problems.add(
        [...base, "engine"],
        `unknown edge engine "${engine}"`,
        `${suggest(engine, edgeEngines, "catalog edge engines")}; for another component give its sla`,
      );
    } else {
      checkLocationName(text(edge["location"]), [...base, "location"], declared, problems);
    }
  }
}
