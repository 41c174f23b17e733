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

/** The whole drawing, as `renderDiagramSvg` draws it. */
export interface Layout {
  width: number;
  height: number;
  regions: RegionNode[];
  zones: ZoneNode[];
  nodes: ComponentNode[];
  edges: Edge[];
}

/** A box placed on the grid: a column (zone) and a row of its region. */
export interface Cell {
  id: string;
  component: string;
  kind: "service" | "store" | "replica" | "standby";
  zone: string;
  region: string;
  col: number;
  row: number;
}

/** A line to route between two cells (or a cell and a box outside the grid). */
export interface Link {
  from: string;
  to: string;
  kind: Edge["kind"];
  label?: string;
}

/** Sizes of the drawing, in SVG user units. */
export const SIZES = {
  boxW: 150,
  boxH: 46,
  rowGap: 34,
  lane: 6,
  colPad: 12,
  colGap: 10,
  zoneHead: 26,
  regionHead: 30,
  regionPad: 12,
  regionGap: 36,
  margin: 24,
  edgeW: 190,
  edgeH: 44,
  /** Room for the users and the edge above the regions. */
  top: 100,
  bandGap: 70,
  track: 5,
} as const;
