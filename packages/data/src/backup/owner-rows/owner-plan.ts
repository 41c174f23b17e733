import type { OwnerTable } from "../../dialect/dialect.js";
import type { Declaration } from "../../lifecycle/declaration.js";
import { backupError } from "../errors.js";

/** Which tables an owner restore reads: the chosen roots and every table below them, parents first. */
export interface OwnerPlan {
  tables: OwnerTable[];
  roots: string[];
}

/**
 * Plans an owner restore from the declaration of the application's tables
 * (`nines-data.json`): the `roots` (every declared table by default) and,
 * through the declared parent relations, all their descendant tables, in
 * parent-before-child order. An undeclared table is refused before
 * anything is read.
 *
 * @example
 * planOwnerRestore(loadDeclaration("nines-data.json"), ["folders"]);
 * // { roots: ["folders"], tables: [folders, notes, tags] }
 */
export function planOwnerRestore(declaration: Declaration, roots?: readonly string[]): OwnerPlan {
  const declared = [...declaration.tables.keys()];
  const chosen = roots === undefined || roots.length === 0 ? declared : [...new Set(roots)];
  for (const name of chosen) {
    if (!declaration.tables.has(name)) {
      throw backupError("tableUnknown", `table '${name}' is not declared in the table declaration`, {
        hint: `declare it in nines-data.json, or choose one of: ${declared.join(", ")}`,
      });
    }
  }
  const wanted = new Set(chosen);
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of [...wanted]) {
      for (const child of declaration.tables.get(name)?.children ?? []) {
        if (!wanted.has(child.table)) {
          wanted.add(child.table);
          grew = true;
        }
      }
    }
  }
  const tables = declaration.order
    .filter((name) => wanted.has(name))
    .map((name) => {
      const t = declaration.tables.get(name);
      if (!t) throw new Error(`unreachable: ${name} is in the order but not declared`);
      return {
        name,
        key: t.key,
        owner: t.owner,
        parents: t.parents.filter((p) => wanted.has(p.table)).map((p) => ({ table: p.table, column: p.column })),
      };
    });
  return { tables, roots: chosen };
}
