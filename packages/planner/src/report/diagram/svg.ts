import { escapeXml } from "./escape.js";
import type { ComponentNode, Edge, Layout } from "./types.js";

export interface DiagramOptions {
  /** Components with an error finding, drawn with a red outline. */
  errors?: ReadonlySet<string>;
  /** Components with a warning finding, drawn with an amber outline. */
  warnings?: ReadonlySet<string>;
  /** Title for screen readers. */
  title?: string;
}

const EDGE_STYLE: Record<Edge["kind"], string> = {
  call: 'stroke="#475569" stroke-width="1.6" marker-end="url(#arrow)"',
  "optional-call": 'stroke="#64748b" stroke-width="1.4" stroke-dasharray="6 4" marker-end="url(#arrow)"',
  entry: 'stroke="#7c3aed" stroke-width="1.6" marker-end="url(#arrow-entry)"',
  replication: 'stroke="#15803d" stroke-width="1.6" stroke-dasharray="2 3"',
  backup: 'stroke="#a16207" stroke-width="1.2" stroke-dasharray="1 3" marker-end="url(#arrow-backup)"',
};

const FILL: Record<ComponentNode["kind"], string> = {
  service: "#dbeafe",
  store: "#dcfce7",
  replica: "#f0fdf4",
  edge: "#ede9fe",
  managed: "#dcfce7",
  backups: "#fef9c3",
  standby: "#f8fafc",
};

const STROKE: Record<ComponentNode["kind"], string> = {
  service: "#2563eb",
  store: "#16a34a",
  replica: "#16a34a",
  edge: "#7c3aed",
  managed: "#16a34a",
  backups: "#ca8a04",
  standby: "#64748b",
};

function node(n: ComponentNode, options: DiagramOptions): string {
  // Findings outline the component itself, not the copies of its backups.
  const own = n.kind !== "backups" && n.kind !== "standby";
  const flagged =
    own && options.errors?.has(n.component) ? "#dc2626" : own && options.warnings?.has(n.component) ? "#d97706" : null;
  const stroke = flagged ?? STROKE[n.kind];
  const width = flagged ? 2.5 : 1.5;
  const attrs = `fill="${FILL[n.kind]}" stroke="${stroke}" stroke-width="${width}"`;
  const isStore = n.kind === "store" || n.kind === "replica" || n.kind === "managed";
  let shape: string;
  if (isStore) {
    // A cylinder: body, then the top ellipse drawn over it.
    const ry = 6;
    shape =
      `<path d="M ${n.x} ${n.y + ry} V ${n.y + n.h - ry} A ${n.w / 2} ${ry} 0 0 0 ${n.x + n.w} ${n.y + n.h - ry} ` +
      `V ${n.y + ry}" ${attrs}/>` +
      `<ellipse cx="${n.x + n.w / 2}" cy="${n.y + ry}" rx="${n.w / 2}" ry="${ry}" ${attrs}/>`;
  } else {
    const dash = n.kind === "replica" || n.kind === "backups" || n.kind === "standby" ? ' stroke-dasharray="4 3"' : "";
    const rx = n.kind === "edge" ? 22 : 6;
    shape = `<rect x="${n.x}" y="${n.y}" width="${n.w}" height="${n.h}" rx="${rx}" ${attrs}${dash}/>`;
  }
  const cx = n.x + n.w / 2;
  const textTop = isStore ? n.y + 10 : n.y;
  const labelY = textTop + (n.h - (isStore ? 10 : 0)) / 2 - 2;
  return (
    `<g class="node ${n.kind}" data-id="${escapeXml(n.id)}">` +
    `<title>${escapeXml(`${n.label}: ${n.detail}`)}</title>${shape}` +
    `<text x="${cx}" y="${labelY}" text-anchor="middle" class="label">${escapeXml(n.label)}</text>` +
    `<text x="${cx}" y="${labelY + 15}" text-anchor="middle" class="detail">${escapeXml(n.detail)}</text>` +
    `</g>`
  );
}

/**
 * Renders a {@link Layout} as a standalone SVG element (inline styles, no
 * external resources): regions containing zones containing instance groups,
 * the edge on top, stores as cylinders, arrows for calls (optional ones
 * dashed), replication and backups.
 *
 * @example
 * const svg = renderDiagramSvg(layoutDiagram(spec), { errors: new Set(["inventory"]) });
 */
export function renderDiagramSvg(layout: Layout, options: DiagramOptions = {}): string {
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 ${layout.width} ${layout.height}" ` +
      `width="${layout.width}" height="${layout.height}" style="max-width:100%;height:auto" role="img" aria-labelledby="diagram-title">`,
    `<title id="diagram-title">${escapeXml(options.title ?? "Deployment diagram")}</title>`,
    "<defs>",
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#475569"/></marker>',
    '<marker id="arrow-entry" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#7c3aed"/></marker>',
    '<marker id="arrow-backup" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#a16207"/></marker>',
    "</defs>",
    "<style>" +
      ".diagram text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;fill:#0f172a}" +
      ".diagram .label{font-size:13px;font-weight:600}.diagram .detail{font-size:10.5px;fill:#334155}" +
      ".diagram .region-name{font-size:14px;font-weight:700;fill:#1e3a8a}" +
      ".diagram .zone-name{font-size:11.5px;font-weight:600;fill:#475569}" +
      ".diagram .users{font-size:12px;fill:#6d28d9;font-weight:600}" +
      "</style>",
  );
  for (const region of layout.regions) {
    out.push(
      `<g class="region" data-name="${escapeXml(region.name)}">` +
        `<rect x="${region.x}" y="${region.y}" width="${region.w}" height="${region.h}" rx="10" fill="#f1f5f9" stroke="#94a3b8" stroke-width="1.5"/>` +
        `<text x="${region.x + 14}" y="${region.y + 20}" class="region-name">Region ${escapeXml(region.name)}</text></g>`,
    );
  }
  for (const zone of layout.zones) {
    out.push(
      `<g class="zone" data-name="${escapeXml(zone.name)}">` +
        `<rect x="${zone.x}" y="${zone.y}" width="${zone.w}" height="${zone.h}" rx="6" fill="#ffffff" stroke="#94a3b8" stroke-dasharray="5 4"/>` +
        `<text x="${zone.x + 10}" y="${zone.y + 17}" class="zone-name">Zone ${escapeXml(zone.name)}</text></g>`,
    );
  }
  const edgeNodes = layout.nodes.filter((n) => n.kind === "edge");
  if (edgeNodes.length > 0) {
    const first = edgeNodes[0]!;
    out.push(
      `<text x="${first.x + first.w / 2}" y="18" text-anchor="middle" class="users">Users (internet)</text>` +
        `<path d="M ${first.x + first.w / 2} 24 V ${first.y}" stroke="#7c3aed" stroke-width="1.6" fill="none" marker-end="url(#arrow-entry)"/>`,
    );
  }
  for (const edge of layout.edges) {
    out.push(
      `<path class="edge ${edge.kind}" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" d="${edge.path}" fill="none" ${EDGE_STYLE[edge.kind]}/>`,
    );
  }
  for (const n of layout.nodes) out.push(node(n, options));
  for (const edge of layout.edges) {
    if (!edge.label || !edge.labelAt) continue;
    out.push(
      `<text x="${edge.labelAt.x}" y="${edge.labelAt.y}" text-anchor="middle" class="detail" style="fill:#15803d">${escapeXml(edge.label)}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}
