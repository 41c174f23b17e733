import type { Spec } from "../../model.js";
import type { Geometry } from "./geometry.js";
import type { Grid } from "./grid.js";
import type { Lanes } from "./lanes.js";
import { type ComponentNode, type Edge, type Link, SIZES } from "./types.js";

const S = SIZES;

/**
 * Phase 5 of the layout: the lines, as SVG path data. Calls leave a box on
 * its right into its lane, run down the lane, across the channel above the
 * target's row (or above the band of managed stores), and into the target
 * from its own lane, so they never cross a box; replication runs along the
 * store's row; the edge feeds every group of each journey's entry from
 * above; each store's backup line drops to its copy.
 *
 * @example
 * layoutPaths(spec, grid, links, lanes, geometry).filter((e) => e.kind === "entry");
 */
export function layoutPaths(spec: Spec, grid: Grid, links: readonly Link[], lanes: Lanes, g: Geometry): Edge[] {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const edges: Edge[] = [];
  const laneX = (col: number, lane: number): number =>
    g.colX[col]! + S.colPad + S.boxW + 8 + lane * S.lane + S.lane / 2;
  const channelUse = new Map<number, number>();
  const track = (y: number): number => {
    const k = channelUse.get(y) ?? 0;
    channelUse.set(y, k + 1);
    return y - 2 * S.track + (k % 5) * S.track;
  };
  const exitY = (n: ComponentNode, lane: number): number => n.y + 12 + (lane % 4) * 7;
  const enterY = (n: ComponentNode, lane: number): number => n.y + n.h - 12 - (lane % 4) * 7;
  links.forEach((link, i) => {
    const a = byId.get(link.from);
    const b = byId.get(link.to);
    if (!a || !b) return;
    if (link.kind === "replication") {
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
    const from = grid.cellById.get(link.from)!;
    const lane = lanes.of.get(i)!;
    const lx1 = laneX(from.col, lane.out);
    const start = `M ${a.x + a.w} ${exitY(a, lane.out)} H ${lx1}`;
    let path: string;
    if (b.kind === "managed") {
      const cy = track(g.bandY - 22);
      path = `${start} V ${cy} H ${b.x + b.w / 2} V ${b.y}`;
    } else {
      const to = grid.cellById.get(link.to)!;
      if (to.col === from.col) {
        path = `${start} V ${enterY(b, lane.out)} H ${b.x + b.w}`;
      } else {
        const cy = track(b.y - S.rowGap / 2);
        const lx2 = laneX(to.col, lane.in);
        path = `${start} V ${cy} H ${lx2} V ${enterY(b, lane.in)} H ${b.x + b.w}`;
      }
    }
    edges.push({ from: a.id, to: b.id, kind: link.kind, path });
  });
  for (const journey of spec.journeys) {
    const edge = journey.via ? byId.get(journey.via) : undefined;
    if (!edge) continue;
    for (const target of g.nodes.filter((n) => n.component === journey.entry && n.kind === "service")) {
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
  for (const store of spec.stores) {
    const copy = byId.get(`${store.name}#backups`);
    const source = store.zone ? byId.get(`${store.name}@${store.zone}`) : byId.get(store.name);
    if (!copy || !source) continue;
    const x1 = source.x + source.w / 2;
    const x2 = copy.x + copy.w / 2;
    const my = track(copy.y - 20);
    edges.push({
      from: source.id,
      to: copy.id,
      kind: "backup",
      path: `M ${r(x1)} ${r(source.y + source.h)} V ${r(my)} H ${r(x2)} V ${r(copy.y)}`,
    });
  }
  return edges;
}

const r = (n: number): number => Math.round(n * 10) / 10;
