import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { SourceLocation } from "../model.js";

export type PathSegment = string | number;

/**
 * A spec path as people read it and as `Spec.locations` keys it.
 *
 * @example
 * formatPath(["services", "web", "zones", 1]); // "services.web.zones[1]"
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "(the document)" : out;
}

/**
 * Positions of the nodes of one parsed YAML document: finds the node at a
 * data path and turns its offset into a 1-based line and column.
 *
 * @example
 * const map = new SourceMap(doc, lineCounter, "nines.yaml");
 * map.locate(["services", "web", "zones", 1]); // { file, line: 21, column: 26 }
 */
export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string,
  ) {}

  /** Line and column of a character offset. */
  position(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line: Math.max(1, line), column: Math.max(1, col) };
  }

  /**
   * Where the node at `path` was written: its value, or with `part: "key"` the
   * key of its map entry. A path that does not exist resolves to its nearest
   * written ancestor (a missing key is reported where its map is).
   */
  locate(path: readonly PathSegment[], part: "value" | "key" = "value"): SourceLocation {
    let node: unknown = this.doc.contents;
    let key: unknown = null;
    let best = this.start(node) ?? 0;
    for (const segment of path) {
      node = this.resolve(node);
      let next: unknown;
      let nextKey: unknown = null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
        if (pair) {
          next = pair.value;
          nextKey = pair.key;
        }
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      if (next === undefined && nextKey === null) break;
      node = next;
      key = nextKey;
      const start = this.start(next) ?? this.start(nextKey);
      if (start !== undefined) best = start;
    }
    const keyStart = part === "key" ? this.start(key) : undefined;
    return this.position(keyStart ?? best);
  }

  /** The location of every node, keyed by its path (`services.web.zones[1]`); map entries at their key. */
  all(): Map<string, SourceLocation> {
    const out = new Map<string, SourceLocation>();
    const walk = (node: unknown, path: PathSegment[]): void => {
      const resolved = this.resolve(node);
      if (isMap(resolved)) {
        for (const pair of resolved.items) {
          if (!isPair(pair)) continue;
          const childPath = [...path, keyText(pair.key)];
          const start = this.start(pair.key) ?? this.start(pair.value);
          if (start !== undefined) out.set(formatPath(childPath), this.position(start));
          walk(pair.value, childPath);
        }
      } else if (isSeq(resolved)) {
        resolved.items.forEach((item, i) => {
          const childPath = [...path, i];
          const start = this.start(item);
          if (start !== undefined) out.set(formatPath(childPath), this.position(start));
          walk(item, childPath);
        });
      }
    };
    walk(this.doc.contents, []);
    return out;
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private start(node: unknown): number | undefined {
    const range = (node as Node | null | undefined)?.range;
    return range ? range[0] : undefined;
  }
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}
