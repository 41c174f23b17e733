import type { Executor } from "../connection/executor.js";
import { type Actor, checkActor, isAdmin } from "./actor.js";
import type { StoreContext } from "./context.js";
import { lifecycleError } from "./errors.js";
import type { Row } from "./live-reads.js";
import { META } from "./phase.js";
import { column, notFound, uniqueOrRethrow } from "./row-errors.js";

/** Inserts a live row (see LifecycleStore.insert). */
export async function insertRow(ctx: StoreContext, actor: Actor, tableName: string, values: Row): Promise<Row> {
  checkActor(actor);
  const t = ctx.table(tableName);
  const admin = isAdmin(actor);
  const row: Row = { ...values };
  for (const name of Object.keys(row)) column(name);
  if (row[t.owner] === undefined) row[t.owner] = actor.id;
  if (!admin && row[t.owner] !== actor.id) {
    throw lifecycleError(
      "forbidden",
      `${actor.id} may not insert a row of ${t.name} owned by ${String(row[t.owner])}`,
      {
        hint: "users insert rows they own",
      },
    );
  }
  return await ctx.executor.transaction(async (tx) => {
    for (const parent of t.parents) {
      const parentKey = row[parent.column];
      if (parentKey === undefined || parentKey === null) continue;
      if (!(await liveFor(ctx, tx, parent.table, parentKey, actor))) {
        throw lifecycleError(
          "parentDeleted",
          `${t.name}.${parent.column} = ${String(parentKey)}: no live ${parent.table} row with that key`,
          { hint: "restore the parent first, or choose a live one" },
        );
      }
    }
    const names = Object.keys(row).sort();
    const parameters = names.map((n) => row[n]);
    const statement = ctx.cache.statement(`insert:${t.name}:${names.join(",")}`, parameters, () =>
      ctx.kysely
        .insertInto(t.name)
        .values(Object.fromEntries(names.map((n) => [n, row[n]])))
        .returningAll(),
    );
    try {
      return (await tx.first<Row>(statement)) as Row;
    } catch (error) {
      throw uniqueOrRethrow(error, t);
    }
  });
}

/** True when the row is live and the actor may see it. */
async function liveFor(ctx: StoreContext, tx: Executor, tableName: string, key: unknown, actor: Actor) {
  const t = ctx.table(tableName);
  const admin = isAdmin(actor);
  const parameters = admin ? [key] : [key, actor.id];
  const statement = ctx.cache.statement(`live:${t.name}:${admin}`, parameters, () => {
    let q = ctx.kysely.selectFrom(t.name).select(t.key).where(t.key, "=", key).where(META.deletedAt, "is", null);
    if (!admin) q = q.where(t.owner, "=", actor.id);
    return q;
  });
  return (await tx.first(statement)) !== undefined;
}

/** Updates a live row the actor may see (see LifecycleStore.update). */
export async function updateRow(
  ctx: StoreContext,
  actor: Actor,
  tableName: string,
  key: unknown,
  values: Row,
): Promise<Row> {
  checkActor(actor);
  const t = ctx.table(tableName);
  const admin = isAdmin(actor);
  const names = Object.keys(values).sort();
  for (const name of names) column(name);
  if (names.includes(t.key) || (!admin && names.includes(t.owner))) {
    throw lifecycleError("forbidden", `the key and owner of ${t.name} rows are not changed by update`, {
      hint: "insert a new row instead",
    });
  }
  const parameters = [...names.map((n) => values[n]), key, ...(admin ? [] : [actor.id])];
  const statement = ctx.cache.statement(`update:${t.name}:${names.join(",")}:${admin}`, parameters, () => {
    let q = ctx.kysely
      .updateTable(t.name)
      .set(Object.fromEntries(names.map((n) => [n, values[n]])))
      .where(t.key, "=", key)
      .where(META.deletedAt, "is", null);
    if (!admin) q = q.where(t.owner, "=", actor.id);
    return q.returningAll();
  });
  let rows: Row[];
  try {
    rows = await ctx.executor.all<Row>(statement);
  } catch (error) {
    throw uniqueOrRethrow(error, t);
  }
  if (rows.length === 0) throw notFound(t, key);
  return rows[0] as Row;
}
