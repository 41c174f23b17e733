// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { ExpressionBuilder } from "kysely";
import type { Executor } from "../connection/executor.js";
import { type Actor, checkActor, isAdmin } from "./actor.js";
import { nameGroupRows, setAuditRows, writeAudit } from "./audit.js";
import { readMeta, type StoreContext } from "./context.js";
import { lifecycleError } from "./errors.js";
import { groupId } from "./group-id.js";
import type { Row } from "./live-reads.js";
import { META, phaseAt } from "./phase.js";
import { groupTables } from "./restore-group.js";
import { notFound } from "./row-errors.js";
import { trashGroupIds } from "./trash-groups.js";

/**
 * What a delete did: the group (the row and every live descendant) and
 * when its phases end.
 *
 * @example
 * const { group, rows, softAt, purgeAt }: DeleteResult = await store.delete(alice, "folders", 3);
 */
export interface DeleteResult {
  group: string;
  rows: number;
  softAt: number;
  purgeAt: number;
}

/**
 * What empty-trash and delete-forever did: how many groups and rows left
 * the owner's reach, now soft-deleted until `purgeAt` (delete-forever: its
 * one group).
 *
 * @example
 * const { groups, rows }: ForgetResult = await store.emptyTrash(alice);
 */
export interface ForgetResult {
  groups: number;
  rows: number;
  /** When the rows become purgeable (now + the soft-delete period). */
  purgeAt: number;
}

const CHUNK = 500;

/** Deletes a live row and its live descendants as one group (see LifecycleStore.delete). */
export async function deleteRow(
  ctx: StoreContext,
  actor: Actor,
  tableName: string,
  key: unknown,
): Promise<DeleteResult> {
  checkActor(actor);
  const t = ctx.table(tableName);
  return await ctx.executor.transaction(async (tx) => {
    const row = await readMeta(ctx, tx, t, key);
    if (!row || row.deletedAt !== null || (!isAdmin(actor) && row.owner !== actor.id)) throw notFound(t, key);
    const now = ctx.clock.now();
    const group = groupId(t.name, key, now);
    const softAt = now + ctx.declaration.trashMs;
    const purgeAt = softAt + ctx.declaration.softMs;
    const marks = [now, actor.id, group, softAt, purgeAt];
    const set = {
      [META.deletedAt]: now,
      [META.deletedBy]: actor.id,
      [META.group]: group,
      [META.softAt]: softAt,
      [META.purgeAt]: purgeAt,
    };
    let rows = await tx.run(
      ctx.cache.statement(`delete:${t.name}`, [...marks, key], () =>
        ctx.kysely.updateTable(t.name).set(set).where(t.key, "=", key).where(META.deletedAt, "is", null),
      ),
    );
    const touched = [t.name];
    rows += await cascade(ctx, tx, t.name, set, marks, group, touched);
    const id = await writeAudit(tx, ctx.kysely, ctx.cache, {
      actor: actor.id,
      action: "delete",
      at: now,
      table: t.name,
      key,
      group,
      rows,
    });
    for (const name of touched) await nameGroupRows(tx, ctx.kysely, ctx.cache, id, ctx.table(name), [group]);
    return { group, rows, softAt, purgeAt };
  });
}

/**
 * Marks every live row whose parent is in `group`, breadth first from the
 * deleted row's table: only relations under a table that just got rows
 * run, so deleting a leaf costs no extra statement. Adds the tables that
 * got rows to `touched`.
 */
async function cascade(
  ctx: StoreContext,
  tx: Executor,
  from: string,
  set: Row,
  marks: unknown[],
  group: string,
  touched: string[],
): Promise<number> {
  let total = 0;
  let frontier = new Set([from]);
  while (frontier.size > 0) {
    const next = new Set<string>();
    for (const parentName of frontier) {
      const parent = ctx.table(parentName);
      for (const relation of parent.children) {
        const child = ctx.table(relation.table);
        const statement = ctx.cache.statement(`cascade:${child.name}:${relation.column}`, [...marks, group], () =>
          ctx.kysely
            .updateTable(child.name)
            .set(set)
            .where(META.deletedAt, "is", null)
            .where(relation.column, "in", (eb: ExpressionBuilder<any, any>) =>
              eb
                .selectFrom(`${parent.name} as nines_parent`)
                .select(`nines_parent.${parent.key}`)
                .where(`nines_parent.${META.group}`, "=", group),
            ),
        );
        const changed = await tx.run(statement);
        total += changed;
        if (changed > 0) {
          next.add(child.name);
          if (!touched.includes(child.name)) touched.push(child.name);
        }
      }
    }
    frontier = next;
  }
  return total;
}

/** Ends the trash period of all the actor's trash groups now (see LifecycleStore.emptyTrash). */
export async function emptyTrash(ctx: StoreContext, actor: Actor): Promise<ForgetResult> {
  checkActor(actor);
  return await ctx.executor.transaction(async (tx) => {
    const now = ctx.clock.now();
    const groups = await trashGroupIds(ctx, tx, actor.id, now);
    return await forget(ctx, tx, actor, groups, now, { action: "empty-trash" });
  });
}

/**
 * Moves the whole group of one row in the trash out of its owner's reach
 * now (see LifecycleStore.deleteForever).
 */
export async function deleteForever(
  ctx: StoreContext,
  actor: Actor,
  tableName: string,
  key: unknown,
): Promise<ForgetResult> {
  checkActor(actor);
  const t = ctx.table(tableName);
  const admin = isAdmin(actor);
  return await ctx.executor.transaction(async (tx) => {
    const row = await readMeta(ctx, tx, t, key);
    if (!row || (!admin && row.owner !== actor.id)) throw notFound(t, key, false);
    if (row.deletedAt === null || row.group === null) {
      throw lifecycleError("notDeleted", `${t.name} ${String(key)} is not deleted`, {
        hint: "delete it first; delete forever empties one item from the trash",
      });
    }
    const now = ctx.clock.now();
    const phase = phaseAt(row, now);
    if (phase !== "trash") {
      if (!admin) throw notFound(t, key, false);
      throw lifecycleError("notInTrash", `${t.name} ${String(key)} has left the trash (${phase})`, {
        hint: "it is already out of its owner's reach; the purge worker removes it once its period ends",
      });
    }
    return await forget(ctx, tx, actor, [row.group], now, { action: "delete-forever", table: t.name, key });
  });
}

/** Makes the groups soft-deleted from `now`, with one audit record naming every row. */
async function forget(
  ctx: StoreContext,
  tx: Executor,
  actor: Actor,
  groups: string[],
  now: number,
  what: { action: "empty-trash" | "delete-forever"; table?: string; key?: unknown },
): Promise<ForgetResult> {
  const purgeAt = now + ctx.declaration.softMs;
  const id = await writeAudit(tx, ctx.kysely, ctx.cache, {
    actor: actor.id,
    action: what.action,
    at: now,
    table: what.table ?? null,
    key: what.key,
    group: groups.length === 1 ? groups[0] : null,
    rows: 0,
    detail: { groups: groups.length },
  });
  const tables = groups.length === 1 ? groupTables(ctx.declaration, groups[0] as string) : ctx.declaration.order;
  let rows = 0;
  for (let i = 0; i < groups.length; i += CHUNK) {
    const chunk = groups.slice(i, i + CHUNK);
    for (const name of tables) {
      // Naming first counts the rows, so a table with none of them needs no update.
      if ((await nameGroupRows(tx, ctx.kysely, ctx.cache, id, ctx.table(name), chunk)) === 0) continue;
      rows += await tx.run(
        ctx.kysely
          .updateTable(name)
          .set({ [META.softAt]: now, [META.purgeAt]: purgeAt })
          .where(META.group, "in", chunk)
          .compile(),
      );
    }
  }
  await setAuditRows(tx, ctx.kysely, ctx.cache, id, rows);
  return { groups: groups.length, rows, purgeAt };
}
