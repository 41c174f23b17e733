// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { SelectQueryBuilder } from "kysely";
import type { StoreContext } from "./context.js";
import type { DeclaredTable } from "./declaration.js";
import type { Row } from "./live-reads.js";
import { META, type Phase, phaseAt, stamp } from "./phase.js";
import { groupTables } from "./restore-group.js";

/**
 * A row as support staff see it: its phase and dates, the legal hold that
 * keeps it, and its content (for restores and legal export).
 *
 * @example
 * for (const r of await store.deleted(admin, { phase: "soft" })) {
 *   console.log(r.table, r.key, r.owner, r.phase, new Date(r.purgeAt ?? 0), r.row);
 * }
 */
export interface AdminRow {
  table: string;
  key: unknown;
  owner: unknown;
  phase: Phase;
  /** The deletion group; null for a live row. */
  group: string | null;
  deletedAt: number | null;
  deletedBy: string | null;
  /** When the trash period ends (the owner can no longer restore). */
  softAt: number | null;
  /** When the row becomes purgeable (nobody can restore). */
  purgeAt: number | null;
  /** The legal hold that keeps it: its own, or else one on another row of its group; null when none. */
  hold: string | null;
  /** The application's columns (the store's `nines_*` columns left out). */
  row: Row;
}

/**
 * Which rows {@link LifecycleStore.deleted} lists: deleted rows in the
 * trash or soft-deleted phase (both by default), of one owner or all.
 *
 * @example
 * await store.deleted(admin, { phase: "soft", owner: "alice" });
 */
export interface DeletedOptions {
  phase?: "trash" | "soft";
  owner?: string;
}

const META_COLUMNS = new Set<string>(Object.values(META));
const CHUNK = 500;

function toAdminRow(t: DeclaredTable, row: Row, now: number, groupHold: string | null): AdminRow {
  const stamps = {
    deletedAt: stamp(row[META.deletedAt]),
    softAt: stamp(row[META.softAt]),
    purgeAt: stamp(row[META.purgeAt]),
  };
  return {
    table: t.name,
    key: row[t.key],
    owner: row[t.owner],
    phase: phaseAt(stamps, now),
    group: (row[META.group] as string | null) ?? null,
    ...stamps,
    deletedBy: (row[META.deletedBy] as string | null) ?? null,
    hold: (row[META.hold] as string | null) ?? groupHold,
    row: Object.fromEntries(Object.entries(row).filter(([k]) => !META_COLUMNS.has(k))),
  };
}

/** Newest deletion first, then live rows, each by table and key. */
function byDeletion(a: AdminRow, b: AdminRow): number {
  return (
    (b.deletedAt ?? -1) - (a.deletedAt ?? -1) ||
    a.table.localeCompare(b.table) ||
    String(a.key).localeCompare(String(b.key), undefined, { numeric: true })
  );
}

/** Deleted rows in the trash or soft-deleted phase at `now` (see LifecycleStore.deleted). */
export async function deletedRows(ctx: StoreContext, now: number, options: DeletedOptions): Promise<AdminRow[]> {
  const out: AdminRow[] = [];
  for (const name of ctx.declaration.order) {
    const t = ctx.table(name);
    let q = ctx.kysely
      .selectFrom(t.name)
      .selectAll()
      .where(META.deletedAt, "is not", null)
      .where(META.purgeAt, ">", now);
    if (options.owner !== undefined) q = q.where(t.owner, "=", options.owner);
    if (options.phase === "trash") q = q.where(META.softAt, ">", now);
    if (options.phase === "soft") q = q.where(META.softAt, "<=", now);
    for (const row of await ctx.executor.all<Row>(q.compile())) out.push(toAdminRow(t, row, now, null));
  }
  await fillGroupHolds(ctx, out);
  return out.sort(byDeletion);
}

/**
 * Every row a legal hold keeps, in any phase: the held rows themselves
 * and the other rows of their deletion groups (see LifecycleStore.held).
 */
export async function heldRows(ctx: StoreContext, now: number, owner?: string): Promise<AdminRow[]> {
  const out: AdminRow[] = [];
  const holds = new Map<string, string>();
  for (const name of ctx.declaration.order) {
    const t = ctx.table(name);
    let q = ctx.kysely.selectFrom(t.name).selectAll().where(META.hold, "is not", null);
    if (owner !== undefined) q = q.where(t.owner, "=", owner);
    for (const row of await ctx.executor.all<Row>(q.compile())) {
      const held = toAdminRow(t, row, now, null);
      out.push(held);
      if (held.group !== null && !holds.has(held.group)) holds.set(held.group, held.hold as string);
    }
  }
  const groups = [...holds.keys()];
  const tables = new Set(groups.flatMap((g) => groupTables(ctx.declaration, g)));
  for (const name of ctx.declaration.order) {
    if (!tables.has(name)) continue;
    const t = ctx.table(name);
    for (let i = 0; i < groups.length; i += CHUNK) {
      let q: SelectQueryBuilder<any, any, any> = ctx.kysely
        .selectFrom(t.name)
        .selectAll()
        .where(META.group, "in", groups.slice(i, i + CHUNK))
        .where(META.hold, "is", null);
      if (owner !== undefined) q = q.where(t.owner, "=", owner);
      for (const row of await ctx.executor.all<Row>(q.compile())) {
        out.push(toAdminRow(t, row, now, holds.get(String(row[META.group])) ?? null));
      }
    }
  }
  return out.sort(byDeletion);
}

/**
 * One row in any phase while it is stored and reachable by support: live,
 * trash, soft-deleted, or past its period but kept by a legal hold (see
 * LifecycleStore.inspect). Undefined otherwise.
 */
export async function inspectRow(
  ctx: StoreContext,
  t: DeclaredTable,
  key: unknown,
  now: number,
): Promise<AdminRow | undefined> {
  const row = await ctx.executor.first<Row>(ctx.kysely.selectFrom(t.name).selectAll().where(t.key, "=", key).compile());
  if (!row) return undefined;
  const found = toAdminRow(t, row, now, null);
  await fillGroupHolds(ctx, [found]);
  return found.phase === "purged" && found.hold === null ? undefined : found;
}

/** Sets `hold` on rows without one of their own when another row of their group is held. */
async function fillGroupHolds(ctx: StoreContext, rows: AdminRow[]): Promise<void> {
  const groups = [...new Set(rows.filter((r) => r.hold === null && r.group !== null).map((r) => r.group as string))];
  if (groups.length === 0) return;
  const holds = new Map<string, string>();
  const tables = new Set(groups.flatMap((g) => groupTables(ctx.declaration, g)));
  for (const name of ctx.declaration.order) {
    if (!tables.has(name)) continue;
    for (let i = 0; i < groups.length; i += CHUNK) {
      const found = await ctx.executor.all<{ g: string; h: string }>(
        ctx.kysely
          .selectFrom(name)
          .select([`${META.group} as g`, `${META.hold} as h`])
          .where(META.group, "in", groups.slice(i, i + CHUNK))
          .where(META.hold, "is not", null)
          .compile(),
      );
      for (const { g, h } of found) if (!holds.has(g)) holds.set(g, h);
    }
  }
  for (const row of rows) if (row.hold === null && row.group !== null) row.hold = holds.get(row.group) ?? null;
}
