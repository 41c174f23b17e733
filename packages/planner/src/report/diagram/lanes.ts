import type { Grid } from "./grid.js";
import type { Link } from "./types.js";

/** The lanes of the routed links, by link index: the lane out of the caller's column and into the callee's. */
export interface Lanes {
  of: Map<number, { out: number; in: number }>;
  /** The most lanes any column needs (at least 1). */
  widest: number;
}

/**
 * Phase 3 of the layout: every routed link takes its own lane in the
 * columns it runs down, so that no two lines share a track beside a box.
 *
 * @example
 * layoutLanes(grid, links).widest; // lanes the busiest column needs
 */
export function layoutLanes(grid: Grid, links: readonly Link[]): Lanes {
  const count = new Array<number>(grid.columns.length).fill(0);
  const of = new Map<number, { out: number; in: number }>();
  links.forEach((link, i) => {
    const from = grid.cellById.get(link.from);
    if (!from || link.kind === "replication") return;
    const to = grid.cellById.get(link.to);
    const out = count[from.col]!++;
    const inLane = to && to.col !== from.col ? count[to.col]!++ : out;
    of.set(i, { out, in: inLane });
  });
  return { of, widest: Math.max(1, ...count) };
}
