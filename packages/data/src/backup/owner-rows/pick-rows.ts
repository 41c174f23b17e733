import type { OwnerTable } from "../../dialect/dialect.js";
import { quoteIdent } from "../../dialect/quote-ident.js";
import { backupError } from "../errors.js";

/** What choosing the rows needs from an engine: statements with `?` placeholders, and names. */
export interface PickDriver {
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, parameters: unknown[]): Promise<number>;
  /** The backup copy's table, as the statements name it. */
  source(table: string): string;
  /** Creates an empty temporary table `name` with one unique column `k` typed like `table.key`. */
  createPick(name: string, table: OwnerTable): Promise<void>;
}

/**
 * Chooses the rows of an owner restore in the backup copy, into one
 * temporary table of keys per table (`nines_pick_<i>`, returned by table
 * name): the owner's rows of the root tables, then, parents first, every
 * row whose parent column points at a chosen row, repeating a table's own
 * parent relation (a tree) until nothing more is added.
 *
 * @example
 * const picks = await pickRows(driver, plan.tables, plan.roots, "alice");
 * picks.get("notes"); // "nines_pick_1"
 */
export async function pickRows(
  driver: PickDriver,
  tables: readonly OwnerTable[],
  roots: readonly string[],
  owner: string,
): Promise<Map<string, string>> {
  const picks = new Map<string, string>();
  for (const [i, table] of tables.entries()) {
    const pick = `nines_pick_${i}`;
    await driver.createPick(pick, table);
    const key = quoteIdent(table.key);
    const add = (where: string, parameters: unknown[] = []) =>
      driver.run(
        `INSERT INTO ${pick} (k) SELECT ${key} FROM ${driver.source(table.name)} WHERE ${where} ON CONFLICT DO NOTHING`,
        parameters,
      );
    if (roots.includes(table.name)) await add(`${quoteIdent(table.owner)} = ?`, [owner]);
    for (const parent of table.parents) {
      const parentPick = picks.get(parent.table);
      if (parent.table !== table.name && parentPick) {
        await add(`${quoteIdent(parent.column)} IN (SELECT k FROM ${parentPick})`);
      }
    }
    const selfColumns = table.parents.filter((p) => p.table === table.name).map((p) => quoteIdent(p.column));
    for (let added = selfColumns.length; added > 0; ) {
      added = 0;
      for (const column of selfColumns) {
        added += await add(`${column} IN (SELECT k FROM ${pick}) AND ${key} NOT IN (SELECT k FROM ${pick})`);
      }
    }
    picks.set(table.name, pick);
  }
  return picks;
}

/**
 * The `ON CONFLICT` clause of an owner restore's insert: `skip` keeps live
 * rows, `replace` overwrites a live row with the same key only when the
 * live row belongs to the owner being restored (`ownerParameter` is the
 * statement's placeholder for that owner: a child owned by someone else,
 * or a key now held by someone else, is left alone), `fail` lets the
 * insert fail.
 *
 * @example
 * conflictClause(table, columns, "replace", `main.${quoteIdent(table.name)}`, "?");
 */
export function conflictClause(
  table: OwnerTable,
  columns: readonly string[],
  mode: "skip" | "replace" | "fail",
  live: string,
  ownerParameter: string,
): string {
  if (mode === "fail") return "";
  if (mode === "skip") return "ON CONFLICT DO NOTHING";
  const updates = columns.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(", ");
  return `ON CONFLICT (${quoteIdent(table.key)}) DO UPDATE SET ${updates} WHERE ${live}.${quoteIdent(table.owner)} = ${ownerParameter}`;
}

/**
 * The error for an owner restore whose rows collide with live ones under `--on-conflict fail`.
 *
 * @example
 * throw ownerConflict("notes", "alice", driverError);
 */
export function ownerConflict(table: string, owner: string, cause: unknown) {
  return backupError(
    "ownerConflict",
    `rows of '${owner}' in the backup conflict with live rows of ${table}; nothing was restored`,
    { hint: "use --on-conflict skip to keep live rows, or replace to overwrite that owner's rows", cause },
  );
}
