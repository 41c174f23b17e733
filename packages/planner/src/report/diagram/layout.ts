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
  /** Unique per drawing: `service@zone`, `store@zone`, `store` (managed), `store#backups`, `edge`. */
  id: string;
  /** The spec component it stands for. */
  component: string;
  kind: "service" | "store" | "replica" | "edge" | "managed" | "backups" | "standby";
  label: string;
  detail: string;
  zone: string | null;
  region: string | null;
}

/** A line between two nodes, already routed as SVG path data. */
export interface Edge {
  from: string;
  to: string;
  kind: "call" | "optional-call" | "entry" | "replication" | "backup";
  path: string;
  label?: string;
  /** Where to put the label, when there is one. */
  labelAt?: { x: number; y: number };
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
const ROW_GAP = 34;
const LANE = 6;
const COL_PAD = 12;
const COL_GAP = 10;
const ZONE_HEAD = 26;
const REGION_HEAD = 30;
const REGION_PAD = 12;
const REGION_GAP = 36;
const MARGIN = 24;
const EDGE_W = 190;
const EDGE_H = 44;
const TOP = 100; // room for the users and the edge above the regions
const BAND_GAP = 70;
const TRACK = 5;

interface Cell {
  id: string;
  component: string;
  kind: "service" | "store" | "replica" | "standby";
  zone: string;
  region: string;
  col: number;
  row: number;
}

interface Link {
  from: string;
  to: string;
  kind: Edge["kind"];
  label?: string;
}

/** Services in an order where a caller comes before what it calls (file order breaks ties). */
function callOrder(spec: Spec): string[] {
  const byName = new Map(spec.services.map((s) => [s.name, s]));
  const depth = new Map<string, number>();
  const visit = (name: string, d: number, stack: Set<string>): void => {
    if (stack.has(name) || stack.size > spec.services.length) return; // cycles are rejected by the parser
    depth.set(name, Math.max(depth.get(name) ?? 0, d));
    const service = byName.get(name);
    if (!service) return;
    stack.add(name);
    for (const call of service.calls) if (call.targetKind === "service") visit(call.target, d + 1, stack);
    stack.delete(name);
  };
  for (const s of spec.services) visit(s.name, 0, new Set());
  return spec.services
    .map((s, i) => ({ name: s.name, i }))
    .sort((a, b) => (depth.get(a.name) ?? 0) - (depth.get(b.name) ?? 0) || a.i - b.i)
    .map((s) => s.name);
}

const isPlaced = (store: Store): boolean => store.zone !== null;

/**
 * Lays out the deployment deterministically on a grid, like a cloud
 * architecture drawing: regions side by side, each zone a column, one row
 * per service or placed store present in the region (callers above what
 * they call), the edge above, managed stores and backup copies in bands
 * below. Arrows are routed orthogonally through lanes beside each column
 * and channels between rows, so they never cross a box.
 *
 * @example
 * const layout = layoutDiagram(spec); // then renderDiagramSvg(layout)
 */
export function layoutDiagram(spec: Spec): Layout {
  const order = callOrder(spec);
  const serviceByName = new Map(spec.services.map((s) => [s.name, s]));

  // 1. The grid: columns (zones) and rows (per region, shared across its zones).
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
      if (isPlaced(store) && zones.some((z) => z != null && region.zones.includes(z))) {
        rows.push({ name: store.name, kind: "store" });
      }
    }
    // A standby for the loss of another region: one dashed box in this region's first zone.
    for (const c of [...spec.services, ...spec.stores]) {
      if (c.standby?.region === region.name) rows.push({ name: c.name, kind: "standby" });
    }
    regionRows.set(region.name, rows.length);
    for (const zone of region.zones) {
      const col = columns.length;
      columns.push({ zone, region: region.name });
      rows.forEach((row, r) => {
        if (row.kind === "service") {
          if (serviceByName.get(row.name)!.zones.includes(zone)) {
            cells.push({
              id: `${row.name}@${zone}`,
              component: row.name,
              kind: "service",
              zone,
              region: region.name,
              col,
              row: r,
            });
          }
          return;
        }
        if (row.kind === "standby") {
          if (zone === region.zones[0]) {
            cells.push({
              id: `${row.name}#standby`,
              component: row.name,
              kind: "standby",
              zone,
              region: region.name,
              col,
              row: r,
            });
          }
          return;
        }
        const store = spec.stores.find((s) => s.name === row.name)!;
        if (store.zone === zone || store.replica?.zone === zone) {
          const kind = store.zone === zone ? "store" : "replica";
          cells.push({ id: `${row.name}@${zone}`, component: row.name, kind, zone, region: region.name, col, row: r });
        }
      });
    }
  }
  const cellById = new Map(cells.map((c) => [c.id, c]));
  const groupsOf = (component: string): Cell[] =>
    cells.filter((c) => c.component === component && c.kind !== "replica" && c.kind !== "standby");

  // 2. The links: calls go to the group in the caller's zone, else (once per
  // caller region) to the nearest group; managed stores live in the band and
  // get one arrow per caller region.
  const links: Link[] = [];
  const crossRegion = new Set<string>();
  for (const s of spec.services) {
    for (const call of s.calls) {
      const kind = call.optional ? "optional-call" : "call";
      const managed = spec.stores.find((st) => st.name === call.target && !isPlaced(st));
      for (const from of groupsOf(s.name)) {
        if (managed) {
          // A managed store is one box: one arrow per caller region is enough.
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

  // 3. Lanes: every routed link takes its own lane in the columns it runs down.
  const laneCount = new Array<number>(columns.length).fill(0);
  const laneOf = new Map<string, { out: number; in: number }>();
  links.forEach((link, i) => {
    const from = cellById.get(link.from);
    if (!from || link.kind === "replication") return;
    const to = cellById.get(link.to);
    const out = laneCount[from.col]!++;
    const inLane = to && to.col !== from.col ? laneCount[to.col]!++ : out;
    laneOf.set(String(i), { out, in: inLane });
  });
  const lanes = Math.max(1, ...laneCount);
  const colW = COL_PAD + BOX_W + 8 + lanes * LANE + COL_PAD;

  // 4. Geometry.
  const rowY = (row: number): number => TOP + REGION_HEAD + ZONE_HEAD + ROW_GAP / 2 + row * (BOX_H + ROW_GAP);
  const regions: Layout["regions"] = [];
  const zones: Layout["zones"] = [];
  const colX: number[] = [];
  let x = MARGIN;
  let regionsBottom = TOP;
  for (const region of spec.platform.regions) {
    const rows = Math.max(1, regionRows.get(region.name) ?? 0);
    const zoneH = ZONE_HEAD + rows * (BOX_H + ROW_GAP);
    const w = REGION_PAD * 2 + region.zones.length * colW + Math.max(0, region.zones.length - 1) * COL_GAP;
    regions.push({ name: region.name, x, y: TOP, w, h: REGION_HEAD + zoneH + REGION_PAD });
    region.zones.forEach((zone, i) => {
      const zx = x + REGION_PAD + i * (colW + COL_GAP);
      colX.push(zx);
      zones.push({ name: zone, region: region.name, x: zx, y: TOP + REGION_HEAD, w: colW, h: zoneH });
    });
    regionsBottom = Math.max(regionsBottom, TOP + REGION_HEAD + zoneH + REGION_PAD);
    x += w + REGION_GAP;
  }
  const regionsRight = Math.max(MARGIN, x - REGION_GAP);

  const nodes: ComponentNode[] = cells.map((c) => {
    const box = { x: colX[c.col]! + COL_PAD, y: rowY(c.row), w: BOX_W, h: BOX_H };
    if (c.kind === "service") {
      const s = serviceByName.get(c.component)!;
      const detail = `${s.instances} instance${s.instances === 1 ? "" : "s"} · ${s.capacity} rps each`;
      return {
        ...box,
        id: c.id,
        component: c.component,
        kind: c.kind,
        label: c.component,
        detail,
        zone: c.zone,
        region: c.region,
      };
    }
    if (c.kind === "standby") {
      const standby = [...spec.services, ...spec.stores].find((x) => x.name === c.component)!.standby!;
      const provision = standby.provision > 0 ? ` · up in ${Math.round(standby.provision / 60)}m` : "";
      const detail = `${standby.kind} standby${provision}`;
      return {
        ...box,
        id: c.id,
        component: c.component,
        kind: c.kind,
        label: c.component,
        detail,
        zone: c.zone,
        region: c.region,
      };
    }
    const store = spec.stores.find((st) => st.name === c.component)!;
    const detail =
      c.kind === "store"
        ? `${store.engine} primary`
        : `${store.engine} replica (${store.replica?.sync ? "sync" : "async"})`;
    return {
      ...box,
      id: c.id,
      component: c.component,
      kind: c.kind,
      label: c.component,
      detail,
      zone: c.zone,
      region: c.region,
    };
  });

  const centreRow = (row: ComponentNode[], gap: number): void => {
    const total = row.reduce((sum, n) => sum + n.w, 0) + Math.max(0, row.length - 1) * gap;
    let nx = Math.max(MARGIN, MARGIN + (regionsRight - MARGIN - total) / 2);
    for (const n of row) {
      n.x = nx;
      nx += n.w + gap;
    }
  };
  const bandY = regionsBottom + BAND_GAP;
  const managed: ComponentNode[] = spec.stores
    .filter((s) => !isPlaced(s))
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
      w: BOX_W + 20,
      h: BOX_H + 6,
    }));
  centreRow(managed, 40);
  const backups: ComponentNode[] = spec.stores
    .filter((s) => s.backups !== null)
    .map((s) => {
      const at = s.backups!.at.kind === "region" ? s.backups!.at.region : s.backups!.at.kind;
      const every = s.backups!.every;
      const period =
        every % 86_400 === 0
          ? `${every / 86_400}d`
          : every % 3600 === 0
            ? `${every / 3600}h`
            : `${Math.round(every / 60)}m`;
      return {
        id: `${s.name}#backups`,
        component: s.name,
        kind: "backups" as const,
        label: `${s.name} backups`,
        detail: `${at} · every ${period}${s.log ? " + log" : ""}`,
        zone: null,
        region: null,
        x: 0,
        y: bandY + (managed.length > 0 ? BOX_H + 6 + 50 : 0),
        w: BOX_W + 20,
        h: BOX_H - 4,
      };
    });
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
  centreRow(edgeNodes, 40);
  nodes.push(...managed, ...edgeNodes);
  // Each backup copy under its store, pushed right where two would overlap.
  const sourceOf = (component: string): ComponentNode | undefined => {
    const store = spec.stores.find((s) => s.name === component);
    const id = store?.zone ? `${component}@${store.zone}` : component;
    return nodes.find((n) => n.id === id);
  };
  for (const copy of backups) {
    const source = sourceOf(copy.component);
    copy.x = source ? source.x + source.w / 2 - copy.w / 2 : MARGIN;
  }
  backups.sort((a, b) => a.x - b.x || a.id.localeCompare(b.id));
  let nextX = MARGIN;
  for (const copy of backups) {
    copy.x = Math.max(copy.x, nextX);
    nextX = copy.x + copy.w + 24;
  }
  nodes.push(...backups);
  const byId = new Map(nodes.map((n) => [n.id, n]));

  // 5. Paths.
  const edges: Edge[] = [];
  const laneX = (col: number, lane: number): number => colX[col]! + COL_PAD + BOX_W + 8 + lane * LANE + LANE / 2;
  const channelUse = new Map<number, number>();
  const track = (y: number): number => {
    const k = channelUse.get(y) ?? 0;
    channelUse.set(y, k + 1);
    return y - 2 * TRACK + (k % 5) * TRACK;
  };
  const exitY = (n: ComponentNode, lane: number): number => n.y + 12 + (lane % 4) * 7;
  const enterY = (n: ComponentNode, lane: number): number => n.y + n.h - 12 - (lane % 4) * 7;
  links.forEach((link, i) => {
    const a = byId.get(link.from);
    const b = byId.get(link.to);
    if (!a || !b) return;
    if (link.kind === "replication") {
      // Along the store row: primary and replica share it.
      const [left, right] = a.x < b.x ? [a, b] : [b, a];
      const y = a.y + a.h / 2;
      edges.push({
        from: a.id,
        to: b.id,
        kind: link.kind,
        path: `M ${left.x + left.w} ${y} H ${right.x}`,
        ...(link.label !== undefined && {
          label: link.label,
          labelAt: { x: (left.x + left.w + right.x) / 2, y: y - 6 },
        }),
      });
      return;
    }
    const from = cellById.get(link.from)!;
    const lane = laneOf.get(String(i))!;
    const lx1 = laneX(from.col, lane.out);
    const y1 = exitY(a, lane.out);
    const start = `M ${a.x + a.w} ${y1} H ${lx1}`;
    let path: string;
    if (b.kind === "managed") {
      // Down the lane, across the channel above the band, down into the store.
      const cy = track(bandY - 22);
      path = `${start} V ${cy} H ${b.x + b.w / 2} V ${b.y}`;
    } else {
      const to = cellById.get(link.to)!;
      if (to.col === from.col) {
        path = `${start} V ${enterY(b, lane.out)} H ${b.x + b.w}`;
      } else {
        // Down to the channel above the target's row, across, then in from its lane.
        const cy = track(b.y - ROW_GAP / 2);
        const lx2 = laneX(to.col, lane.in);
        path = `${start} V ${cy} H ${lx2} V ${enterY(b, lane.in)} H ${b.x + b.w}`;
      }
    }
    edges.push({ from: a.id, to: b.id, kind: link.kind, path });
  });
  // The edge feeds every group of each journey's entry service, from above.
  for (const journey of spec.journeys) {
    const edge = journey.via ? byId.get(journey.via) : undefined;
    if (!edge) continue;
    for (const target of nodes.filter((n) => n.component === journey.entry && n.kind === "service")) {
      if (edges.some((e) => e.from === edge.id && e.to === target.id)) continue;
      const x1 = edge.x + edge.w / 2;
      const x2 = target.x + target.w / 2;
      const y1 = edge.y + edge.h;
      const my = (y1 + target.y) / 2;
      edges.push({
        from: edge.id,
        to: target.id,
        kind: "entry",
        path: `M ${r(x1)} ${r(y1)} C ${r(x1)} ${r(my)} ${r(x2)} ${r(my)} ${r(x2)} ${r(target.y)}`,
      });
    }
  }
  // Backups: from the store's node (a placed store's primary) down to its copy.
  for (const store of spec.stores) {
    const copy = byId.get(`${store.name}#backups`);
    const source = store.zone ? byId.get(`${store.name}@${store.zone}`) : byId.get(store.name);
    if (!copy || !source) continue;
    const x1 = source.x + source.w / 2;
    const x2 = copy.x + copy.w / 2;
    const y1 = source.y + source.h;
    const my = track(copy.y - 20);
    edges.push({
      from: source.id,
      to: copy.id,
      kind: "backup",
      path: `M ${r(x1)} ${r(y1)} V ${r(my)} H ${r(x2)} V ${r(copy.y)}`,
    });
  }

  const bottom = Math.max(regionsBottom, ...nodes.map((n) => n.y + n.h)) + MARGIN;
  const right = Math.max(regionsRight, ...nodes.map((n) => n.x + n.w)) + MARGIN;
  return { width: Math.ceil(right), height: Math.ceil(bottom), regions, zones, nodes, edges };
}

const r = (n: number): number => Math.round(n * 10) / 10;
