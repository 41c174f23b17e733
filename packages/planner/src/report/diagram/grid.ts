import type { Spec } from "../../model.js";
import { callOrder } from "./call-order.js";
import type { Cell } from "./types.js";

/** The grid of the drawing: one column per zone, rows per region, and the cells placed on it. */
export interface Grid {
  cells: Cell[];
  cellById: Map<string, Cell>;
  /** Every zone in drawing order, with its region. */
  columns: { zone: string; region: string }[];
  /** Rows per region. */
  regionRows: Map<string, number>;
}

/**
 * Phase 1 of the layout: columns are zones (regions in file order), and
 * each region has one row per service present in it (callers above what
 * they call), then one per placed store, then one per standby kept there
 * (a dashed box in the region's first zone). A service gets a cell in
 * every zone it runs in; a placed store in its primary's and replica's.
 *
 * @example
 * layoutGrid(spec).cells.filter((c) => c.component === "web").length; // the zones web runs in
 */
export function layoutGrid(spec: Spec): Grid {
  const order = callOrder(spec);
  const serviceByName = new Map(spec.services.map((s) => [s.name, s]));
  const storeByName = new Map(spec.stores.map((s) => [s.name, s]));
  const cells: Cell[] = [];
  const regionRows = new Map<string, number>();
  const columns: { zone: string; region: string }[] = [];
  for (const region of spec.platform.regions) {
    const rows: { name: string; kind: "service" | "store" | "standby" }[] = [];
    for (const name of order) {
      if (serviceByName.get(name)!.zones.some((z) => region.zones.includes(z))) rows.push({ name, kind: "service" });
    }
    for (const store of spec.stores) {
      const zones = [store.zone, store.replica?.zone];
      if (store.zone !== null && zones.some((z) => z != null && region.zones.includes(z))) {
        rows.push({ name: store.name, kind: "store" });
      }
    }
    for (const c of [...spec.services, ...spec.stores]) {
      if (c.standby?.region === region.name) rows.push({ name: c.name, kind: "standby" });
    }
    regionRows.set(region.name, rows.length);
    for (const zone of region.zones) {
      const col = columns.length;
      columns.push({ zone, region: region.name });
      const at = { zone, region: region.name, col };
      rows.forEach((row, r) => {
        if (row.kind === "service") {
          if (serviceByName.get(row.name)!.zones.includes(zone)) {
            cells.push({ id: `${row.name}@${zone}`, component: row.name, kind: "service", ...at, row: r });
          }
        } else if (row.kind === "standby") {
          if (zone === region.zones[0]) {
            cells.push({ id: `${row.name}#standby`, component: row.name, kind: "standby", ...at, row: r });
          }
        } else {
          const store = storeByName.get(row.name)!;
          if (store.zone === zone || store.replica?.zone === zone) {
            const kind = store.zone === zone ? "store" : "replica";
            cells.push({ id: `${row.name}@${zone}`, component: row.name, kind, ...at, row: r });
          }
        }
      });
    }
  }
  return { cells, cellById: new Map(cells.map((c) => [c.id, c])), columns, regionRows };
}
