/** A placement a managed engine's SLA is published for; `region` means any declared region. */
export type CatalogLocation = "region" | "dual-region" | "multi-region" | "global";

/** One managed engine of the catalog (docs/spec.md, "Catalog"; figures from public SLAs). */
export interface CatalogEntry {
  engine: string;
  /** Where it may be declared: under `edge`, under `stores`, or both. */
  use: "edge" | "store" | "both";
  /** Availability (a fraction) per location. */
  locations: Partial<Record<CatalogLocation, number>>;
  /** For `cloud-sql`: the SLA of a zonal primary with an HA replica; without one it has no SLA. */
  highAvailability?: number;
}

/**
 * The managed engines the planner knows, with their published availability.
 *
 * @example
 * CATALOG.find((e) => e.engine === "firestore")?.locations["multi-region"]; // 0.99999
 */
export const CATALOG: readonly CatalogEntry[] = [
  { engine: "global-http-lb", use: "edge", locations: { global: 0.9999 } },
  {
    engine: "cloud-storage",
    use: "both",
    locations: { region: 0.999, "dual-region": 0.9995, "multi-region": 0.9995 },
  },
  { engine: "firestore", use: "store", locations: { region: 0.9999, "multi-region": 0.99999 } },
  { engine: "spanner", use: "store", locations: { region: 0.9999, "multi-region": 0.99999 } },
  { engine: "bigquery", use: "store", locations: { region: 0.9999, "multi-region": 0.9999 } },
  { engine: "cloud-sql", use: "store", locations: {}, highAvailability: 0.9995 },
];

/** Engines known to be self-managed (placed on zones); any other name needs `managed: false`. */
export const SELF_MANAGED_ENGINES: readonly string[] = ["postgres", "mysql", "sqlite", "redis"];

/** Location keywords that are not region names. */
export const SPREAD_LOCATIONS: readonly CatalogLocation[] = ["dual-region", "multi-region", "global"];

/**
 * The catalog entry of an engine, if it is a managed catalog engine.
 *
 * @example
 * catalogEntry("spanner")?.locations.region; // 0.9999
 */
export function catalogEntry(engine: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.engine === engine);
}

/**
 * The catalog availability of `engine` at `location` (a keyword, or a region
 * name when `isRegion`), or undefined when the pair is not in the catalog.
 *
 * @example
 * catalogAvailability("firestore", "us-central1", true); // 0.9999
 */
export function catalogAvailability(engine: string, location: string, isRegion: boolean): number | undefined {
  const entry = catalogEntry(engine);
  if (!entry) return undefined;
  const key = (isRegion ? "region" : location) as CatalogLocation;
  return entry.locations[key];
}

/** The locations `engine` may be placed at, as written in a spec (`region` shown as "a declared region's name"). */
export function validLocations(engine: string): string[] {
  const entry = catalogEntry(engine);
  if (!entry) return [];
  return Object.keys(entry.locations).map((l) => (l === "region" ? "a declared region's name" : l));
}
