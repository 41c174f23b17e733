// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type ExpressionBuilder, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { StoreContext } from "./context.js";
import type { DeclaredTable } from "./declaration.js";
import type { Row } from "./live-reads.js";
import { META, stamp } from "./phase.js";
import { groupTables } from "./restore-group.js";

/**
 * One item of a user's trash: the row the user deleted (the group's root)
 * and how many rows were deleted with it, as a trash page shows it
 * ("folder 'work', with 12 notes and 3 tags").
 *
 * @example
 * for (const item of await store.trash(alice, { order: "newest" })) {
 *   console.log(item.table, item.row["name"], `+${item.children} rows`, new Date(item.softAt));
 * }
 */
export interface TrashGroup {
  group: string;
  table: string;
  key: unknown;
  /** The root row's own columns (the store's `nines_*` columns left out). */
  row: Row;
  /** Rows deleted with the root (its descendants). */
  children: number;
  /** The same, per table. */
  childTables: Record<string, number>;
  deletedAt: number;
  deletedBy: string;
  /** When the trash period ends (the owner can no longer restore). */
  softAt: number;
  /** When the rows become purgeable. */
  purgeAt: number;
}

/**
 * How {@link LifecycleStore.trash} lists: newest deletion first (the
 * default) or oldest first, and at most `limit` items.
 *
 * @example
 * await store.trash(alice, { order: "oldest", limit: 50 });
 */
export interface TrashOptions {
  order?: "newest" | "oldest";
  limit?: number;
}

const CHUNK = 500;

/** The root rows of the owner's groups in the trash at `now`, in one table, ordered. */
function rootQuery(ctx: StoreContext, t: DeclaredTable, owner: string, now: number, options: TrashOptions) {
  let q = ctx.kysely
    .selectFrom(t.name)
    .where(t.owner, "=", owner)
    .where(META.deletedAt, "is not", null)
    .where(META.softAt, ">", now)
    // The group id starts with the root's table and key, and ends with its deletion instant.
    .where(
      META.group,
      "=",
      sql<string>`${`${t.name}:`} || cast(${sql.ref(t.key)} as text) || ':' || cast(${sql.ref(META.deletedAt)} as text)`,
    )
    .orderBy(META.deletedAt, options.order === "oldest" ? "asc" : "desc")
    .orderBy(META.group);
  if (options.limit !== undefined) q = q.limit(options.limit);
  return q;
}

/** The owner's trash as groups (see LifecycleStore.trash). */
export async function trashGroups(
  ctx: StoreContext,
  owner: string,
  now: number,
  options: TrashOptions,
): Promise<TrashGroup[]> {
  const items: TrashGroup[] = [];
  const meta = new Set<string>(Object.values(META));
  for (const name of ctx.declaration.order) {
    const t = ctx.table(name);
    const rows = await ctx.executor.all<Row>(rootQuery(ctx, t, owner, now, options).selectAll().compile());
    for (const row of rows) {
      items.push({
        group: String(row[META.group]),
        table: t.name,
        key: row[t.key],
        row: Object.fromEntries(Object.entries(row).filter(([k]) => !meta.has(k))),
        children: 0,
        childTables: {},
        deletedAt: stamp(row[META.deletedAt]) ?? 0,
        deletedBy: String(row[META.deletedBy]),
        softAt: stamp(row[META.softAt]) ?? 0,
        purgeAt: stamp(row[META.purgeAt]) ?? 0,
      });
    }
  }
  const sign = options.order === "oldest" ? 1 : -1;
  items.sort((a, b) => sign * (a.deletedAt - b.deletedAt) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  const shown = options.limit === undefined ? items : items.slice(0, options.limit);
  await countChildren(ctx, ctx.executor, shown);
  return shown;
}

/** Fills in each item's children, per table, with one grouped count per table and chunk. */
async function countChildren(ctx: StoreContext, executor: Executor, items: TrashGroup[]): Promise<void> {
  const byGroup = new Map(items.map((item) => [item.group, item]));
  const tables = new Set(items.flatMap((item) => groupTables(ctx.declaration, item.group)));
  const groups = [...byGroup.keys()];
  for (const name of ctx.declaration.order) {
    if (!tables.has(name)) continue;
    for (let i = 0; i < groups.length; i += CHUNK) {
      const chunk = groups.slice(i, i + CHUNK);
      const counts = await executor.all<{ g: string; n: unknown }>(
        ctx.kysely
          .selectFrom(name)
          .select((eb: ExpressionBuilder<any, any>) => [eb.ref(META.group).as("g"), eb.fn.countAll().as("n")])
          .where(META.group, "in", chunk)
          .groupBy(META.group)
          .compile(),
      );
      for (const { g, n } of counts) {
        const item = byGroup.get(g);
        if (!item) continue;
        const children = Number(n) - (item.table === name ? 1 : 0);
        if (children === 0) continue;
        item.children += children;
        item.childTables[name] = children;
      }
    }
  }
}

/** The ids of the owner's groups in the trash at `now` (empty-trash moves exactly these). */
export async function trashGroupIds(ctx: StoreContext, tx: Executor, owner: string, now: number): Promise<string[]> {
  const ids: string[] = [];
  for (const name of ctx.declaration.order) {
    const q = rootQuery(ctx, ctx.table(name), owner, now, {}).select(sql.ref(META.group).as("g"));
    for (const row of await tx.all<{ g: string }>(q.compile())) ids.push(row.g);
  }
  return ids;
}
