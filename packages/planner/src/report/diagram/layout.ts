import type { Spec } from "../../model.js";
import { layoutGeometry } from "./geometry.js";
import { layoutGrid } from "./grid.js";
import { layoutLanes } from "./lanes.js";
import { layoutLinks } from "./links.js";
import { layoutPaths } from "./paths.js";
import { type Layout, SIZES } from "./types.js";

export type { Box, ComponentNode, Edge, Layout, RegionNode, ZoneNode } from "./types.js";

/**
 * Lays out the deployment deterministically on a grid, like a cloud
 * architecture drawing, in five phases (one file each): the grid (regions
 * side by side, each zone a column, one row per service or placed store
 * present in the region, callers above what they call), the links to draw,
 * a lane per link in the columns it runs down, the geometry (the edge
 * above, managed stores and backup copies in bands below), and the paths,
 * routed orthogonally through the lanes and the channels between rows so
 * that they never cross a box.
 *
 * @example
 * const layout = layoutDiagram(spec); // then renderDiagramSvg(layout)
 */
export function layoutDiagram(spec: Spec): Layout {
  const grid = layoutGrid(spec);
  const links = layoutLinks(spec, grid);
  const lanes = layoutLanes(grid, links);
  const geometry = layoutGeometry(spec, grid, lanes);
  const edges = layoutPaths(spec, grid, links, lanes, geometry);
  const { nodes, regions, zones, regionsBottom } = geometry;
  const regionsRight = Math.max(SIZES.margin, ...regions.map((r) => r.x + r.w));
  const bottom = Math.max(regionsBottom, ...nodes.map((n) => n.y + n.h)) + SIZES.margin;
  const right = Math.max(regionsRight, ...nodes.map((n) => n.x + n.w)) + SIZES.margin;
  return { width: Math.ceil(right), height: Math.ceil(bottom), regions, zones, nodes, edges };
}
