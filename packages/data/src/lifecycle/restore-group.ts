// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { Declaration } from "./declaration.js";
import { lifecycleError } from "./errors.js";
import { META } from "./phase.js";
import type { StatementCache } from "./statements.js";

interface Renamed {
  table: string;
  key: unknown;
  column: string;
  from: unknown;
  to: string;
}

/**
 * Brings back exactly the rows of one deletion group, in the caller's
 * transaction (internal to LifecycleStore.restore). Refuses when a row's
 * parent is deleted in another group (restore the parent first), and when
 * a unique value is now held by a live row, unless `rename` was asked.
 */
export async function restoreGroup(
  tx: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  group: string,
  mode: "fail" | "rename",
  cache: StatementCache,
): Promise<{ rows: number; renamed: Renamed[] }> {
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
          `cannot restore: ${t.name} ${orphans.map((o) => String(o.k)).join(", ")} belong(s) to a deleted ${parent.name}`,
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
          `cannot restore: ${clashes.length} ${t.name} row(s) hold (${unique.columns.join(", ")}) values that live rows use now`,
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
  let rows = 0;
  const clear = {
    [META.deletedAt]: null,
    [META.deletedBy]: null,
    [META.group]: null,
    [META.softAt]: null,
    [META.purgeAt]: null,
  };
  for (const name of tables) {
    rows += await tx.run(
      cache.statement(`clear:${name}`, [null, null, null, null, null, group], () =>
        kysely.updateTable(name).set(clear).where(META.group, "=", group),
      ),
    );
  }
  return { rows, renamed };
}

const reachable = new WeakMap<Declaration, Map<string, string[]>>();

/**
 * The tables a group can have rows in: the table of the deleted row (the
 * group id starts with it) and its descendants, parents first. A cascade
 * only follows child relations, so the other tables need no statement.
 */
export function groupTables(declaration: Declaration, group: string): readonly string[] {
  const root = group.slice(0, group.indexOf(":"));
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

/** The first of "X (restored)", "X (restored 2)", ... that no live row holds with the key's other columns. */
async function freeName(
  tx: Executor,
  kysely: Kysely<any>,
  table: string,
  columns: readonly string[],
  rename: string,
  row: Record<string, unknown>,
): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = `${String(row[rename])} (restored${n === 1 ? "" : ` ${n}`})`;
    let q = kysely.selectFrom(table).select(sql.lit(1).as("one")).where(META.deletedAt, "is", null);
    for (const col of columns) q = q.where(col, "=", col === rename ? candidate : row[col]);
    if ((await tx.all(q.compile())).length === 0) return candidate;
  }
  throw lifecycleError("restoreConflict", `no free name for ${table} ${String(row[rename])}`, {
    hint: "rename the live rows by hand",
  });
}
