import type { Spec } from "../../model.js";
import { formatDuration } from "../format.js";
import type { Grid } from "./grid.js";
import type { Lanes } from "./lanes.js";
import { type ComponentNode, type Layout, SIZES } from "./types.js";

const S = SIZES;

/** Where everything is drawn, before the lines. */
export interface Geometry {
  regions: Layout["regions"];
  zones: Layout["zones"];
  /** Left edge of each column (zone). */
  colX: number[];
  /** Every box: instance groups, store nodes, standbys, managed stores, the edge, backup copies. */
  nodes: ComponentNode[];
  /** Top of the band of managed stores below the regions. */
  bandY: number;
  regionsBottom: number;
}

/**
 * Phase 4 of the layout: sizes and positions. Columns are wide enough for
 * their lanes; regions sit side by side; each cell becomes a box in its
 * column and row; managed stores are centred in a band below the regions,
 * each store's backup copy below its store (pushed right where two would
 * overlap), and the edge components centred above.
 *
 * @example
 * layoutGeometry(spec, grid, lanes).nodes.find((n) => n.kind === "edge")?.detail; // "global-http-lb · global"
 */
export function layoutGeometry(spec: Spec, grid: Grid, lanes: Lanes): Geometry {
  const colW = S.colPad + S.boxW + 8 + lanes.widest * S.lane + S.colPad;
  const rowY = (row: number): number => S.top + S.regionHead + S.zoneHead + S.rowGap / 2 + row * (S.boxH + S.rowGap);
  const regions: Layout["regions"] = [];
  const zones: Layout["zones"] = [];
  const colX: number[] = [];
  let x = S.margin;
  let regionsBottom: number = S.top;
  for (const region of spec.platform.regions) {
    const rows = Math.max(1, grid.regionRows.get(region.name) ?? 0);
    const zoneH = S.zoneHead + rows * (S.boxH + S.rowGap);
    const w = S.regionPad * 2 + region.zones.length * colW + Math.max(0, region.zones.length - 1) * S.colGap;
    regions.push({ name: region.name, x, y: S.top, w, h: S.regionHead + zoneH + S.regionPad });
    region.zones.forEach((zone, i) => {
      const zx = x + S.regionPad + i * (colW + S.colGap);
      colX.push(zx);
      zones.push({ name: zone, region: region.name, x: zx, y: S.top + S.regionHead, w: colW, h: zoneH });
    });
    regionsBottom = Math.max(regionsBottom, S.top + S.regionHead + zoneH + S.regionPad);
    x += w + S.regionGap;
  }
  const regionsRight = Math.max(S.margin, x - S.regionGap);
  const nodes = cellNodes(spec, grid, colX, rowY);

  const centreRow = (row: ComponentNode[], gap: number): void => {
    const total = row.reduce((sum, n) => sum + n.w, 0) + Math.max(0, row.length - 1) * gap;
    let nx = Math.max(S.margin, S.margin + (regionsRight - S.margin - total) / 2);
    for (const n of row) {
      n.x = nx;
      nx += n.w + gap;
    }
  };
  const bandY = regionsBottom + S.bandGap;
  const managed: ComponentNode[] = spec.stores
    .filter((s) => s.zone === null)
    .map((s) => ({
      id: s.name,
      component: s.name,
      kind: "managed",
      label: s.name,
      detail: `${s.engine} · ${s.location ?? "managed"}`,
      zone: null,
      region: null,
      x: 0,
      y: bandY,
      w: S.boxW + 20,
      h: S.boxH + 6,
    }));
  centreRow(managed, 40);
  const edgeNodes: ComponentNode[] = spec.edge.map((e) => ({
    id: e.name,
    component: e.name,
    kind: "edge",
    label: e.name,
    detail: `${e.engine} · ${e.location}`,
    zone: null,
    region: null,
    x: 0,
    y: 36,
    w: S.edgeW,
    h: S.edgeH,
  }));
  centreRow(edgeNodes, 40);
  nodes.push(...managed, ...edgeNodes);
  nodes.push(...backupNodes(spec, nodes, bandY + (managed.length > 0 ? S.boxH + 6 + 50 : 0)));
  return { regions, zones, colX, nodes, bandY, regionsBottom };
}

/** A box for every cell of the grid: instance groups, store nodes and standbys. */
function cellNodes(spec: Spec, grid: Grid, colX: number[], rowY: (row: number) => number): ComponentNode[] {
  const serviceByName = new Map(spec.services.map((s) => [s.name, s]));
  const storeByName = new Map(spec.stores.map((s) => [s.name, s]));
  return grid.cells.map((c) => {
    const base = {
      x: colX[c.col]! + S.colPad,
      y: rowY(c.row),
      w: S.boxW,
      h: S.boxH,
      id: c.id,
      component: c.component,
      kind: c.kind,
      label: c.component,
      zone: c.zone,
      region: c.region,
    };
    if (c.kind === "service") {
      const s = serviceByName.get(c.component)!;
      return { ...base, detail: `${s.instances} instance${s.instances === 1 ? "" : "s"} · ${s.capacity} rps each` };
    }
    if (c.kind === "standby") {
      const standby = (serviceByName.get(c.component) ?? storeByName.get(c.component))!.standby!;
      const provision = standby.provisionMs > 0 ? ` · up in ${formatDuration(standby.provisionMs)}` : "";
      return { ...base, detail: `${standby.kind} standby${provision}` };
    }
    const store = storeByName.get(c.component)!;
    const detail =
      c.kind === "store"
        ? `${store.engine} primary`
        : `${store.engine} replica (${store.replica?.sync ? "sync" : "async"})`;
    return { ...base, detail };
  });
}

/** Each store's backup copy, under its store, pushed right where two would overlap. */
function backupNodes(spec: Spec, nodes: readonly ComponentNode[], y: number): ComponentNode[] {
  const backups: ComponentNode[] = spec.stores
    .filter((s) => s.backups !== null)
    .map((s) => {
      const at = s.backups!.at.kind === "region" ? s.backups!.at.region : s.backups!.at.kind;
      return {
        id: `${s.name}#backups`,
        component: s.name,
        kind: "backups" as const,
        label: `${s.name} backups`,
        detail: `${at} · every ${formatDuration(s.backups!.intervalMs)}${s.log ? " + log" : ""}`,
        zone: null,
        region: null,
        x: 0,
        y,
        w: S.boxW + 20,
        h: S.boxH - 4,
      };
    });
  for (const copy of backups) {
    const store = spec.stores.find((s) => s.name === copy.component);
    const id = store?.zone ? `${copy.component}@${store.zone}` : copy.component;
    const source = nodes.find((n) => n.id === id);
    copy.x = source ? source.x + source.w / 2 - copy.w / 2 : S.margin;
  }
  backups.sort((a, b) => a.x - b.x || a.id.localeCompare(b.id));
  let nextX: number = S.margin;
  for (const copy of backups) {
    copy.x = Math.max(copy.x, nextX);
    nextX = copy.x + copy.w + 24;
  }
  return backups;
}
