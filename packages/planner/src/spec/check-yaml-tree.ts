import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { SourceMap } from "./source-map.js";
import type { SpecError } from "./spec-error.js";

/** Deeper than this is not a spec (a spec nests about six levels); reading it could exhaust the stack. */
export const MAX_NESTING = 64;

type Entry = { node: unknown; depth: number; exit: boolean };

/**
 * Checks what turning the YAML tree into data would trip on, each at the
 * place it is written: nesting deeper than {@link MAX_NESTING}, an alias
 * with no anchor before it, an alias inside the node its anchor marks (a
 * cycle: `&a { b: *a }`), and a merge key (`<<`) whose value is not a
 * mapping. Walks the tree iteratively, so no input exhausts the stack.
 *
 * @example
 * checkYamlTree(doc, map); // [{ line: 2, column: 13, message: 'the alias *a is inside the node its anchor &a marks...' }]
 */
export function checkYamlTree(doc: Document, map: SourceMap): SpecError[] {
  const errors: SpecError[] = [];
  const at = (node: unknown) => map.position((node as Node).range?.[0] ?? 0);
  const open = new Set<unknown>();
  const stack: Entry[] = [{ node: doc.contents, depth: 0, exit: false }];
  while (stack.length > 0) {
    const { node, depth, exit } = stack.pop()!;
    if (exit) {
      open.delete(node);
      continue;
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) {
        errors.push({
          ...at(node),
          message: `the alias *${node.source} refers to no anchor`,
          hint: `define the anchor (&${node.source}) before the alias (*${node.source}), or fix the name`,
        });
      } else if (open.has(target)) {
        errors.push({
          ...at(node),
          message: `the alias *${node.source} is inside the node its anchor &${node.source} marks: it would contain itself`,
          hint: "an alias repeats a node written before it, never one that contains it",
        });
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_NESTING) {
      errors.push({
        ...at(node),
        message: `the nesting is too deep (more than ${MAX_NESTING} levels)`,
        hint: "a spec nests a few levels: sections, names, fields; flatten this part",
      });
      return errors;
    }
    open.add(node);
    stack.push({ node, depth, exit: true });
    const children: unknown[] = [];
    for (const item of node.items as unknown[]) {
      if (!isPair(item)) {
        children.push(item);
        continue;
      }
      if (isMap(node) && isMergeKey(item.key)) checkMerge(item.value, doc, at, errors);
      children.push(item.value);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1, exit: false });
  }
  return errors;
}

/** `<<` as a key: the parser keeps it as a scalar whose source is `<<` (its value is a marker). */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.source === "<<" || key.value === "<<");
}

/** A merge key takes a mapping, an alias to one, or a list of those. */
function checkMerge(
  value: unknown,
  doc: Document,
  at: (node: unknown) => { file: string; line: number; column: number },
  errors: SpecError[],
): void {
  const sources = isSeq(value) ? (value.items as unknown[]) : [value];
  for (const source of sources) {
    const resolved = isAlias(source) ? source.resolve(doc) : source;
    if (resolved === undefined || isMap(resolved)) continue;
    errors.push({
      ...at(source),
      message: `a merge (<<) takes a mapping, got ${isSeq(resolved) ? "a list" : "a single value"}`,
      hint: "write <<: *name, where &name marks a mapping (x-defaults: &name { ... })",
    });
  }
}
