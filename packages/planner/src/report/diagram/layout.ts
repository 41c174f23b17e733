import type { Spec, Store } from "../../model.js";

/** An axis-aligned rectangle in SVG user units. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface RegionNode extends Box {
  name: string;
}

export interface ZoneNode extends Box {
  name: string;
  region: string;
}

/** One drawn box: a service's instance group in a zone, a store node, the edge, a managed store, a backup copy. */
export interface ComponentNode extends Box {
  /** Unique per drawing: `service@zone`, `store@zone`, `store`, `store#backups`, `edge`. */
  id: string;
  /** The spec component it stands for. */
  component: string;
  kind: "service" | "store" | "replica" | "edge" | "managed" | "backups";
  label: string;
  detail: string;
  zone: string | null;
  region: string | null;
}

/** A line between two nodes; `route` is the SVG path. */
export interface Edge {
  from: string;
  to: string;
  kind: "call" | "optional-call" | "entry" | "replication" | "backup";
  /** SVG path data, already routed. */
  path: string;
  label?: string;
}

export interface Layout {
  width: number;
  height: number;
  regions: RegionNode[];
  zones: ZoneNode[];
  nodes: ComponentNode[];
  edges: Edge[];
}

const BOX_W = 150;
const BOX_H = 46;
const ROW_GAP = 30;
const LANE = 7;
const COL_PAD = 14;
const ZONE_HEAD = 26;
const REGION_HEAD = 30;
const REGION_PAD = 14;
const REGION_GAP = 40;
const MARGIN = 24;
const EDGE_W = 180;
const EDGE_H = 44;
const TOP = 96; // space for users and the edge above the regions

/** Services in an order where a caller comes before what it calls (file order breaks ties). */
function callOrder(spec: Spec): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const byName = new Map(spec.services.map((s) => [s.name, s]));
  const depth = new Map<string, number>();
  const visit = (name: string, d: number, stack: Set<string>): void => {
    if (stack.has(name)) return; // cycles are rejected by the parser; stay safe anyway
    depth.set(name, Math.max(depth.get(name) ?? 0, d));
    const service = byName.get(name);
    if (!service) return;
    stack.add(name);
    for (const call of service.calls) if (call.targetKind === "service") visit(call.target, d + 1, stack);
    stack.delete(name);
  };
  for (const s of spec.services) visit(s.name, 0, new Set());
  const sorted = [...spec.services].sort((a, b) => (depth.get(a.name) ?? 0) - (depth.get(b.name) ?? 0));
  for (const s of sorted) {
    if (!seen.has(s.name)) {
      seen.add(s.name);
      order.push(s.name);
    }
  }
  return order;
}

function isPlaced(store: Store): boolean {
  return store.zone !== null;
}

const centre = (b: Box): { x: number; y: number } => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/**
 * Lays out the deployment deterministically on a grid: regions side by side,
 * each zone a column, one row per service or placed store present in the
 * region (callers above what they call), the edge above, managed stores and
 * backup copies in a band below. Calls inside a zone run down a lane to the
 * right of the boxes; other arrows are smooth curves.
 *
 * @example
 * const layout = layoutDiagram(spec); // then renderDiagramSvg(layout)
 */
export function layoutDiagram(spec: Spec): Layout {
  const services = callOrder(spec);
  const serviceByName = new Map(spec.services.map((s) => [s.name, s]));
  const nodes: ComponentNode[] = [];
  const regions: RegionNode[] = [];
  const zones: ZoneNode[] = [];
  const edges: Edge[] = [];

  // Lanes per zone column: one per in-zone call edge, so that lines never overlap.
  const laneCount = Math.max(1, ...spec.services.map((s) => s.calls.length));
  const colW = COL_PAD + BOX_W + 8 + laneCount * LANE + COL_PAD;

  let x = MARGIN;
  let maxBottom = TOP;
  for (const region of spec.platform.regions) {
    const rows: { id: string; kind: "service" | "store" }[] = [];
    for (const name of services) {
      const s = serviceByName.get(name)!;
      if (s.zones.some((z) => region.zones.includes(z))) rows.push({ id: name, kind: "service" });
    }
    for (const store of spec.stores) {
      if (!isPlaced(store)) continue;
      const inRegion = [store.zone, store.replica?.zone].some((z) => z != null && region.zones.includes(z));
      if (inRegion) rows.push({ id: store.name, kind: "store" });
    }
    const zonesTop = TOP + REGION_HEAD;
    const zoneH = ZONE_HEAD + Math.max(1, rows.length) * (BOX_H + ROW_GAP);
    const regionW = REGION_PAD * 2 + region.zones.length * colW + (region.zones.length - 1) * 10;
    regions.push({ name: region.name, x, y: TOP, w: regionW, h: REGION_HEAD + zoneH + REGION_PAD });
    region.zones.forEach((zone, zi) => {
      const zx = x + REGION_PAD + zi * (colW + 10);
      zones.push({ name: zone, region: region.name, x: zx, y: zonesTop, w: colW, h: zoneH });
      rows.forEach((row, ri) => {
        const bx = zx + COL_PAD;
        const by = zonesTop + ZONE_HEAD + ROW_GAP / 2 + ri * (BOX_H + ROW_GAP);
        if (row.kind === "service") {
          const s = serviceByName.get(row.id)!;
          if (!s.zones.includes(zone)) return;
          nodes.push({
            id: `${s.name}@${zone}`,
            component: s.name,
            kind: "service",
            label: s.name,
            detail: `${s.instances} instance${s.instances === 1 ? "" : "s"} · ${s.capacity} rps each`,
            zone,
            region: region.name,
            x: bx,
            y: by,
            w: BOX_W,
            h: BOX_H,
          });
        } else {
          const store = spec.stores.find((st) => st.name === row.id)!;
          const isPrimary = store.zone === zone;
          const isReplica = store.replica?.zone === zone;
          if (!isPrimary && !isReplica) return;
          nodes.push({
            id: `${store.name}@${zone}`,
            component: store.name,
            kind: isPrimary ? "store" : "replica",
            label: store.name,
            detail: isPrimary
              ? `${store.engine} primary`
              : `${store.engine} replica (${store.replica!.sync ? "sync" : "async"})`,
            zone,
            region: region.name,
            x: bx,
            y: by,
            w: BOX_W,
            h: BOX_H,
          });
        }
      });
    });
    maxBottom = Math.max(maxBottom, TOP + REGION_HEAD + zoneH + REGION_PAD);
    x += regionW + REGION_GAP;
  }
  const regionsRight = x - REGION_GAP;

  // The band below: managed stores, then backup copies.
  const bandY = maxBottom + 56;
  const band: ComponentNode[] = [];
  for (const store of spec.stores) {
    if (isPlaced(store)) continue;
    band.push({
      id: store.name,
      component: store.name,
      kind: "managed",
      label: store.name,
      detail: `${store.engine} · ${store.location ?? "managed"}`,
      zone: null,
      region: store.location && spec.platform.regions.some((r) => r.name === store.location) ? store.location : null,
      x: 0,
      y: bandY,
      w: BOX_W + 20,
      h: BOX_H + 6,
    });
  }
  const backups: ComponentNode[] = [];
  for (const store of spec.stores) {
    if (!store.backups) continue;
    const at = store.backups.at.kind === "region" ? store.backups.at.region : store.backups.at.kind;
    backups.push({
      id: `${store.name}#backups`,
      component: store.name,
      kind: "backups",
      label: `${store.name} backups`,
      detail: `${at} · every ${Math.round(store.backups.every / 3600)}h${store.log ? " + log" : ""}`,
      zone: null,
      region: null,
      x: 0,
      y: bandY + BOX_H + 6 + 40,
      w: BOX_W + 20,
      h: BOX_H - 6,
    });
  }
  const placeRow = (row: ComponentNode[]): void => {
    const totalW = row.reduce((sum, n) => sum + n.w, 0) + Math.max(0, row.length - 1) * 24;
    let nx = Math.max(MARGIN, MARGIN + (regionsRight - MARGIN - totalW) / 2);
    for (const n of row) {
      n.x = nx;
      nx += n.w + 24;
    }
  };
  placeRow(band);
  placeRow(backups);
  nodes.push(...band, ...backups);

  // The edge, centred above the regions.
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
    w: EDGE_W,
    h: EDGE_H,
  }));
  placeRow(edgeNodes);
  nodes.push(...edgeNodes);

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const boxesOf = (component: string): ComponentNode[] =>
    nodes.filter((n) => n.component === component && n.kind !== "backups" && n.kind !== "replica");

  // Entry arrows: edge -> every group of each journey's entry service.
  for (const journey of spec.journeys) {
    if (!journey.via) continue;
    const edgeNode = byId.get(journey.via);
    if (!edgeNode) continue;
    for (const target of boxesOf(journey.entry)) {
      if (edges.some((e) => e.from === edgeNode.id && e.to === target.id)) continue;
      edges.push({ from: edgeNode.id, to: target.id, kind: "entry", path: curveDown(edgeNode, target) });
    }
  }

  // Calls: in the same zone down a lane; otherwise a curve to the nearest group.
  const laneUse = new Map<string, number>();
  const crossRegion = new Set<string>();
  for (const s of spec.services) {
    for (const call of s.calls) {
      const kind = call.optional ? "optional-call" : "call";
      for (const from of boxesOf(s.name)) {
        const targets = boxesOf(call.target);
        if (targets.length === 0) continue;
        const sameZone = targets.find((t) => t.zone !== null && t.zone === from.zone);
        if (sameZone) {
          const zoneKey = from.zone!;
          const lane = laneUse.get(zoneKey) ?? 0;
          laneUse.set(zoneKey, lane + 1);
          const lx = from.x + from.w + 8 + lane * LANE;
          const y1 = from.y + from.h / 2 + 6 - (lane % 3) * 6;
          const y2 = sameZone.y + sameZone.h / 2 - 6 + (lane % 3) * 6;
          const path = `M ${from.x + from.w} ${y1} H ${lx} V ${y2} H ${sameZone.x + sameZone.w}`;
          edges.push({ from: from.id, to: sameZone.id, kind, path });
          continue;
        }
        const sameRegion = targets.find((t) => t.region !== null && t.region === from.region);
        if (sameRegion) {
          edges.push({ from: from.id, to: sameRegion.id, kind, path: curve(from, sameRegion) });
          continue;
        }
        // Across regions (or to the band): one arrow per caller region, from its first group.
        const key = `${s.name}->${call.target}@${from.region}`;
        if (crossRegion.has(key)) continue;
        crossRegion.add(key);
        const target = nearest(from, targets);
        const path = target.kind === "managed" ? curveDown(from, target) : curveSideways(from, target);
        edges.push({ from: from.id, to: target.id, kind, path });
      }
    }
  }

  // Replication: primary -> replica; backups: store -> its backup copy.
  for (const store of spec.stores) {
    if (store.zone && store.replica) {
      const primary = byId.get(`${store.name}@${store.zone}`);
      const replica = byId.get(`${store.name}@${store.replica.zone}`);
      if (primary && replica) {
        edges.push({
          from: primary.id,
          to: replica.id,
          kind: "replication",
          path: curve(primary, replica),
          label: store.replica.sync ? "sync" : "async",
        });
      }
    }
    const copy = byId.get(`${store.name}#backups`);
    const source = store.zone ? byId.get(`${store.name}@${store.zone}`) : byId.get(store.name);
    if (copy && source) edges.push({ from: source.id, to: copy.id, kind: "backup", path: curveDown(source, copy) });
  }

  const bottom = Math.max(...nodes.map((n) => n.y + n.h), maxBottom) + MARGIN;
  const right = Math.max(regionsRight, ...nodes.map((n) => n.x + n.w)) + MARGIN;
  return { width: Math.ceil(right), height: Math.ceil(bottom), regions, zones, nodes, edges };
}

function nearest(from: Box, targets: ComponentNode[]): ComponentNode {
  const c = centre(from);
  let best = targets[0]!;
  let bestD = Number.POSITIVE_INFINITY;
  for (const t of targets) {
    const tc = centre(t);
    const d = Math.hypot(tc.x - c.x, tc.y - c.y);
    if (d < bestD) {
      bestD = d;
      best = t;
    }
  }
  return best;
}

/** A vertical S-curve from the bottom of `a` to the top of `b` (or up, when b is above). */
function curveDown(a: Box, b: Box): string {
  const down = b.y >= a.y + a.h;
  const x1 = a.x + a.w / 2;
  const y1 = down ? a.y + a.h : a.y;
  const x2 = b.x + b.w / 2;
  const y2 = down ? b.y : b.y + b.h;
  const my = (y1 + y2) / 2;
  return `M ${r(x1)} ${r(y1)} C ${r(x1)} ${r(my)} ${r(x2)} ${r(my)} ${r(x2)} ${r(y2)}`;
}

/** A curve between two boxes: vertical when one is clearly below the other, else horizontal. */
function curve(a: Box, b: Box): string {
  if (b.y >= a.y + a.h + 10 || a.y >= b.y + b.h + 10) return curveDown(a, b);
  const right = b.x > a.x;
  const x1 = right ? a.x + a.w : a.x;
  const x2 = right ? b.x : b.x + b.w;
  const y1 = a.y + a.h / 2;
  const y2 = b.y + b.h / 2;
  const mx = (x1 + x2) / 2;
  return `M ${r(x1)} ${r(y1)} C ${r(mx)} ${r(y1)} ${r(mx)} ${r(y2)} ${r(x2)} ${r(y2)}`;
}

/** A horizontal S-curve between facing sides, for arrows between regions. */
function curveSideways(a: Box, b: Box): string {
  const right = b.x > a.x;
  const x1 = right ? a.x + a.w : a.x;
  const x2 = right ? b.x : b.x + b.w;
  const y1 = a.y + a.h / 2;
  const y2 = b.y + b.h / 2;
  const mx = (x1 + x2) / 2;
  return `M ${r(x1)} ${r(y1)} C ${r(mx)} ${r(y1)} ${r(mx)} ${r(y2)} ${r(x2)} ${r(y2)}`;
}

const r = (n: number): number => Math.round(n * 10) / 10;
