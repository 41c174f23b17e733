// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { DeclaredTable } from "./declaration.js";
import { META } from "./phase.js";
import { AUDIT_ROWS_TABLE, AUDIT_TABLE } from "./schema.js";
import type { StatementCache } from "./statements.js";

/**
 * What an audit record tells: a user or administrator deleted, restored,
 * emptied the trash, deleted one item forever, placed or lifted a legal
 * hold; the purge worker purged rows, or kept due rows under a legal hold
 * (`purge-kept`, written each time a purge run passes them).
 *
 * @example
 * const purges = await store.audit(admin, { action: "purge" });
 */
export type AuditAction =
  | "delete"
  | "restore"
  | "empty-trash"
  | "delete-forever"
  | "hold"
  | "release"
  | "purge"
  | "purge-kept";

/**
 * One audit record: who did what, when, to how many rows. `table` and
 * `key` name the row the actor named (none for empty-trash and purge
 * batches), `group` the deletion group when there is one; the rows the
 * record touched are listed by `store.auditRows(admin, id)`.
 *
 * @example
 * for (const r of await store.history(admin, "notes", 12)) console.log(new Date(r.at), r.actor, r.action);
 */
export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: AuditAction;
  table: string | null;
  key: string | null;
  group: string | null;
  rows: number;
  detail: unknown;
}

/**
 * A row an audit record names (its key as text, as the audit stores it).
 *
 * @example
 * const rows: AuditRow[] = await store.auditRows(admin, record.id); // [{ table: "notes", key: "12" }]
 */
export interface AuditRow {
  table: string;
  key: string;
}

/** What a change writes to the audit trail. */
export interface AuditEntry {
  actor: string;
  action: AuditAction;
  at: number;
  table?: string | null;
  key?: unknown;
  group?: string | null;
  rows: number;
  detail?: unknown;
}

/** Writes one audit record in the caller's transaction and returns its id. */
export async function writeAudit(
  tx: Executor,
  kysely: Kysely<any>,
  cache: StatementCache,
  entry: AuditEntry,
): Promise<number> {
  const values = {
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    table_name: entry.table ?? null,
    row_key: entry.key === undefined || entry.key === null ? null : String(entry.key),
    group_id: entry.group ?? null,
    row_count: entry.rows,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  };
  const row = await tx.first<{ id: unknown }>(
    cache.statement("audit", Object.values(values), () =>
      kysely.insertInto(AUDIT_TABLE).values(values).returning("id"),
    ),
  );
  return Number(row?.id);
}

/** Sets a record's row count once its rows are known (the purge names its rows before deleting them). */
export async function setAuditRows(tx: Executor, kysely: Kysely<any>, cache: StatementCache, id: number, rows: number) {
  await tx.run(
    cache.statement("audit-count", [rows, id], () =>
      kysely.updateTable(AUDIT_TABLE).set({ row_count: rows }).where("id", "=", id),
    ),
  );
}

/**
 * Names in the audit trail the rows of `t` that belong to the given
 * groups (and, for the purge, are due at `dueAt`), with one INSERT ...
 * SELECT; returns how many it named.
 */
export async function nameGroupRows(
  tx: Executor,
  kysely: Kysely<any>,
  cache: StatementCache,
  auditId: number,
  t: DeclaredTable,
  groups: readonly string[],
  dueAt?: number,
): Promise<number> {
  const parameters: unknown[] = [auditId, ...groups];
  if (dueAt !== undefined) parameters.push(dueAt);
  const shape = `audit-rows:${t.name}:${groups.length}:${dueAt !== undefined}`;
  return await tx.run(
    cache.statement(shape, parameters, () => {
      let rows = kysely
        .selectFrom(t.name)
        .select([
          sql<number>`cast(${auditId} as bigint)`.as("audit_id"),
          sql.lit(t.name).as("table_name"),
          sql<string>`cast(${sql.ref(t.key)} as text)`.as("row_key"),
        ])
        .where(META.group, groups.length === 1 ? "=" : "in", groups.length === 1 ? groups[0] : groups);
      if (dueAt !== undefined) rows = rows.where(META.purgeAt, "<=", dueAt);
      return kysely.insertInto(AUDIT_ROWS_TABLE).columns(["audit_id", "table_name", "row_key"]).expression(rows);
    }),
  );
}

/** Names one row in the audit trail (holds and releases). */
export async function nameRow(tx: Executor, kysely: Kysely<any>, auditId: number, table: string, key: unknown) {
  await tx.run(
    kysely
      .insertInto(AUDIT_ROWS_TABLE)
      .values({ audit_id: auditId, table_name: table, row_key: String(key) })
      .compile(),
  );
}

/** Audit records, newest first (see LifecycleStore.audit). */
export async function readAudit(
  executor: Executor,
  kysely: Kysely<any>,
  options: { limit?: number; action?: AuditAction } = {},
): Promise<AuditRecord[]> {
  let query = kysely.selectFrom(AUDIT_TABLE).selectAll().orderBy("id", "desc");
  if (options.action) query = query.where("action", "=", options.action);
  const rows = await executor.all<Record<string, unknown>>(query.limit(options.limit ?? 100).compile());
  return rows.map(toRecord);
}

/** Every audit record that names the row, oldest first (see LifecycleStore.history). */
export async function rowHistory(
  executor: Executor,
  kysely: Kysely<any>,
  table: string,
  key: unknown,
): Promise<AuditRecord[]> {
  const rows = await executor.all<Record<string, unknown>>(
    kysely
      .selectFrom(`${AUDIT_TABLE} as a`)
      .selectAll("a")
      .where("a.id", "in", (eb: ExpressionBuilder<any, any>) =>
        eb
          .selectFrom(`${AUDIT_ROWS_TABLE} as r`)
          .select("r.audit_id")
          .where("r.table_name", "=", table)
          .where("r.row_key", "=", String(key)),
      )
      .orderBy("a.id", "asc")
      .compile(),
  );
  return rows.map(toRecord);
}

/** The rows one audit record names, by table then key. */
export async function recordRows(executor: Executor, kysely: Kysely<any>, id: number): Promise<AuditRow[]> {
  const rows = await executor.all<{ table_name: string; row_key: string }>(
    kysely
      .selectFrom(AUDIT_ROWS_TABLE)
      .select(["table_name", "row_key"])
      .where("audit_id", "=", id)
      .orderBy("table_name")
      .orderBy("row_key")
      .compile(),
  );
  return rows.map((r) => ({ table: r.table_name, key: r.row_key }));
}

function toRecord(r: Record<string, unknown>): AuditRecord {
  return {
    id: Number(r["id"]),
    at: Number(r["at"]),
    actor: String(r["actor"]),
    action: r["action"] as AuditAction,
    table: (r["table_name"] as string | null) ?? null,
    key: (r["row_key"] as string | null) ?? null,
    group: (r["group_id"] as string | null) ?? null,
    rows: Number(r["row_count"]),
    detail: r["detail"] === null || r["detail"] === undefined ? null : JSON.parse(String(r["detail"])),
  };
}
