// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import { nameGroupRows } from "./audit.js";
import type { Declaration, DeclaredTable } from "./declaration.js";
import { lifecycleError } from "./errors.js";
import { groupRoot } from "./group-id.js";
import { META } from "./phase.js";
import { restoredName } from "./restored-name.js";
import type { StatementCache } from "./statements.js";

/**
 * A restored row renamed because a live row holds its unique value.
 *
 * @example
 * // { table: "files", key: 7, column: "name", from: "report.pdf", to: "report (restored).pdf" }
 */
export interface Renamed {
  table: string;
  key: unknown;
  column: string;
  from: unknown;
  to: string;
}

/**
 * Checks that one deletion group can come back, in the caller's
 * transaction, and renames its rows whose unique value a live row now
 * holds when `rename` was asked. Refuses when a row's parent is deleted in
 * another group (restore the parent first), and on a unique conflict in
 * `fail` mode. {@link clearGroup} then brings the rows back.
 */
export async function prepareRestore(
  tx: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  group: string,
  mode: "fail" | "rename",
  cache: StatementCache,
): Promise<Renamed[]> {
  const tables = groupTables(declaration, group);
  for (const name of tables) {
    const t = declaration.tables.get(name);
    if (!t) continue;
    for (const relation of t.parents) {
      const parent = declaration.tables.get(relation.table);
      if (!parent) continue;
      const orphans = await tx.all<{ k: unknown }>(
        cache.statement(`orphans:${t.name}:${relation.column}`, [group, group, 5], () =>
          kysely
            .selectFrom(`${t.name} as c`)
            .select(sql.ref(`c.${t.key}`).as("k"))
            .where(`c.${META.group}`, "=", group)
            .where(`c.${relation.column}`, "is not", null)
            .where((eb: ExpressionBuilder<any, any>) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom(`${parent.name} as p`)
                    .select(sql.lit(1).as("one"))
                    .whereRef(`p.${parent.key}`, "=", `c.${relation.column}`)
                    .where((e: ExpressionBuilder<any, any>) =>
                      e.or([e(`p.${META.deletedAt}`, "is", null), e(`p.${META.group}`, "=", group)]),
                    ),
                ),
              ),
            )
            .limit(5),
        ),
      );
      if (orphans.length > 0) {
        throw lifecycleError(
          "parentDeleted",
          `cannot restore: ${t.name} ${orphans.map((o) => String(o.k)).join(", ")} ${orphans.length === 1 ? "belongs" : "belong"} to a deleted ${parent.name}`,
          { hint: `restore the ${parent.name} row first; its own group brings back what was deleted with it` },
        );
      }
    }
  }
  const renamed: Renamed[] = [];
  for (const name of tables) {
    const t = declaration.tables.get(name);
    if (!t) continue;
    for (const unique of t.unique) {
      const clashes = await tx.all<Record<string, unknown>>(
        cache.statement(`clashes:${t.name}:${unique.index}`, [group], () =>
          kysely
            .selectFrom(`${t.name} as c`)
            .selectAll("c")
            .where(`c.${META.group}`, "=", group)
            .where((eb: ExpressionBuilder<any, any>) =>
              eb.exists(
                eb
                  .selectFrom(`${t.name} as l`)
                  .select(sql.lit(1).as("one"))
                  .where(`l.${META.deletedAt}`, "is", null)
                  .where((e: ExpressionBuilder<any, any>) =>
                    e.and(unique.columns.map((col) => e(e.ref(`l.${col}`), "=", e.ref(`c.${col}`)))),
                  ),
              ),
            ),
        ),
      );
      if (clashes.length === 0) continue;
      if (mode === "fail") {
        throw lifecycleError(
          "restoreConflict",
          `cannot restore: ${clashes.length} ${t.name} ${clashes.length === 1 ? "row holds" : "rows hold"} (${unique.columns.join(", ")}) values that live rows use now`,
          {
            hint: "rename or delete the live rows, or restore with rename (--rename)",
            details: {
              conflicts: clashes.map((row) => ({
                table: t.name,
                key: row[t.key],
                values: Object.fromEntries(unique.columns.map((c) => [c, row[c]])),
              })),
            },
          },
        );
      }
      for (const row of clashes) {
        const to = await freeName(tx, kysely, t.name, unique.columns, unique.rename, row);
        await tx.run(
          kysely
            .updateTable(t.name)
            .set({ [unique.rename]: to })
            .where(t.key, "=", row[t.key])
            .compile(),
        );
        renamed.push({ table: t.name, key: row[t.key], column: unique.rename, from: row[unique.rename], to });
      }
    }
  }
  return renamed;
}

const CLEAR = {
  [META.deletedAt]: null,
  [META.deletedBy]: null,
  [META.group]: null,
  [META.softAt]: null,
  [META.purgeAt]: null,
};

/**
 * Makes the rows of a group live again, naming each in the audit record
 * `auditId` first (the naming counts them, so a table without rows of the
 * group needs no update); returns how many rows came back.
 */
export async function clearGroup(
  tx: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  group: string,
  cache: StatementCache,
  auditId: number,
): Promise<number> {
  let rows = 0;
  for (const name of groupTables(declaration, group)) {
    const t = declaration.tables.get(name) as DeclaredTable;
    if ((await nameGroupRows(tx, kysely, cache, auditId, t, [group])) === 0) continue;
    rows += await tx.run(
      cache.statement(`clear:${name}`, [null, null, null, null, null, group], () =>
        kysely.updateTable(name).set(CLEAR).where(META.group, "=", group),
      ),
    );
  }
  return rows;
}

const reachable = new WeakMap<Declaration, Map<string, string[]>>();

/**
 * The tables a group can have rows in: the table of the deleted row (the
 * group id starts with it) and its descendants, parents first. A cascade
 * only follows child relations, so the other tables need no statement.
 */
export function groupTables(declaration: Declaration, group: string): readonly string[] {
  const root = groupRoot(group).table;
  if (!declaration.tables.has(root)) return declaration.order;
  const byRoot = reachable.get(declaration) ?? new Map<string, string[]>();
  reachable.set(declaration, byRoot);
  let tables = byRoot.get(root);
  if (!tables) {
    const seen = new Set([root]);
    const queue = [root];
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      for (const child of declaration.tables.get(name)?.children ?? []) {
        if (!seen.has(child.table)) {
          seen.add(child.table);
          queue.push(child.table);
        }
      }
    }
    tables = declaration.order.filter((name) => seen.has(name));
    byRoot.set(root, tables);
  }
  return tables;
}

/** The first of "x (restored).ext", "x (restored 2).ext", ... that no live row holds with the key's other columns. */
async function freeName(
  tx: Executor,
  kysely: Kysely<any>,
  table: string,
  columns: readonly string[],
  rename: string,
  row: Record<string, unknown>,
): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = restoredName(String(row[rename]), n);
    let q = kysely.selectFrom(table).select(sql.lit(1).as("one")).where(META.deletedAt, "is", null);
    for (const col of columns) q = q.where(col, "=", col === rename ? candidate : row[col]);
    if ((await tx.all(q.compile())).length === 0) return candidate;
  }
  throw lifecycleError("restoreConflict", `no free name for ${table} ${String(row[rename])}`, {
    hint: "rename the live rows by hand",
  });
}
