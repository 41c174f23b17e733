import { SPREAD_LOCATIONS } from "./catalog.js";
import { entriesOf, mapping, type Problems, type Raw, text } from "./problem.js";
import { formatPath } from "./source-map.js";

/** The names a spec declares, gathered once for the reference checks. */
export interface Declared {
  regions: string[];
  /** Zone -> its region. */
  zoneRegion: Map<string, string>;
  zones: string[];
  edge: string[];
  services: string[];
  stores: string[];
}

/**
 * Gathers the declared names and checks them: a zone declared twice or with a
 * region's name, a region named like a location keyword, a name used by two
 * components (edge, service, store).
 *
 * @example
 * const declared = gatherDeclared(raw, problems);
 * declared.zoneRegion.get("us-central1-a"); // "us-central1"
 */
export function gatherDeclared(raw: Raw, problems: Problems): Declared {
  const regionEntries = entriesOf(mapping(raw["platform"])?.["regions"]);
  const regions = regionEntries.map(([name]) => name);
  const zoneRegion = new Map<string, string>();
  for (const [region, zones] of regionEntries) {
    if ((SPREAD_LOCATIONS as readonly string[]).includes(region)) {
      problems.add(
        ["platform", "regions", region],
        `region "${region}" has the name of a location keyword`,
        "rename the region: dual-region, multi-region and global are locations, not regions",
        "key",
      );
    }
    if (!Array.isArray(zones)) continue;
    zones.forEach((zone, i) => {
      const name = text(zone);
      if (name === undefined) return;
      const path = ["platform", "regions", region, i];
      const other = zoneRegion.get(name);
      if (other !== undefined) {
        problems.add(
          path,
          `zone "${name}" is declared twice (${other === region ? "in this region" : `also in region "${other}"`})`,
          "declare each zone once, under its region",
        );
      } else if (regions.includes(name)) {
        problems.add(path, `zone "${name}" has the name of a region`, "give zones and regions distinct names");
      } else {
        zoneRegion.set(name, region);
      }
    });
  }
  const sections = [
    ["edge", "an edge component"],
    ["services", "a service"],
    ["stores", "a store"],
  ] as const;
  const owner = new Map<string, { what: string; section: string }>();
  const names: Record<string, string[]> = { edge: [], services: [], stores: [] };
  for (const [section, what] of sections) {
    for (const [name] of entriesOf(raw[section])) {
      names[section]!.push(name);
      const first = owner.get(name);
      if (first !== undefined) {
        problems.add(
          [section, name],
          `"${name}" is declared both as ${first.what} and as ${what}`,
          `rename one of them: names are unique across edge, services and stores (the other is ${formatPath([first.section, name])})`,
          "key",
        );
      } else {
        owner.set(name, { what, section });
      }
    }
  }
  return {
    regions,
    zoneRegion,
    zones: [...zoneRegion.keys()],
    edge: names["edge"]!,
    services: names["services"]!,
    stores: names["stores"]!,
  };
}
