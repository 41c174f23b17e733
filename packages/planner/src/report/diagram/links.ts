import type { Spec } from "../../model.js";
import type { Grid } from "./grid.js";
import type { Cell, Link } from "./types.js";

/**
 * Phase 2 of the layout: what to draw a line between. A call goes to the
 * callee's group in the caller's zone, else in its region, else (once per
 * caller region) to the nearest group; a managed store is one box, so it
 * gets one arrow per caller region. A placed store's primary and replica
 * are linked by a `sync` or `async` line.
 *
 * @example
 * layoutLinks(spec, layoutGrid(spec)).filter((l) => l.kind === "replication");
 */
export function layoutLinks(spec: Spec, grid: Grid): Link[] {
  const groupsOf = (component: string): Cell[] =>
    grid.cells.filter((c) => c.component === component && c.kind !== "replica" && c.kind !== "standby");
  const managedStores = new Map(spec.stores.filter((s) => s.zone === null).map((s) => [s.name, s]));
  const links: Link[] = [];
  const crossRegion = new Set<string>();
  for (const s of spec.services) {
    for (const call of s.calls) {
      const kind = call.optional ? "optional-call" : "call";
      const managed = managedStores.get(call.target);
      for (const from of groupsOf(s.name)) {
        if (managed) {
          const key = `${s.name}->${managed.name}@${from.region}`;
          if (!crossRegion.has(key)) links.push({ from: from.id, to: managed.name, kind });
          crossRegion.add(key);
          continue;
        }
        const targets = groupsOf(call.target);
        if (targets.length === 0) continue;
        const same = targets.find((t) => t.zone === from.zone) ?? targets.find((t) => t.region === from.region);
        if (same) {
          links.push({ from: from.id, to: same.id, kind });
          continue;
        }
        const key = `${s.name}->${call.target}@${from.region}`;
        if (crossRegion.has(key)) continue;
        crossRegion.add(key);
        const nearest = [...targets].sort((a, b) => Math.abs(a.col - from.col) - Math.abs(b.col - from.col))[0]!;
        links.push({ from: from.id, to: nearest.id, kind });
      }
    }
  }
  for (const store of spec.stores) {
    if (store.zone && store.replica) {
      links.push({
        from: `${store.name}@${store.zone}`,
        to: `${store.name}@${store.replica.zone}`,
        kind: "replication",
        label: store.replica.sync ? "sync" : "async",
      });
    }
  }
  return links;
}
