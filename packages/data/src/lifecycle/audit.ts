// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { Kysely } from "kysely";
import type { Executor } from "../connection/executor.js";
import { AUDIT_TABLE } from "./schema.js";
import type { StatementCache } from "./statements.js";

/** What an audit record tells. */
export type AuditAction = "delete" | "restore" | "empty-trash" | "hold" | "release" | "purge";

/** One audit record: who did what to which rows, when. */
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

/** Writes one audit record in the caller's transaction (internal). */
export async function writeAudit(
  tx: Executor,
  kysely: Kysely<any>,
  cache: StatementCache,
  entry: AuditEntry,
): Promise<void> {
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
  await tx.run(cache.statement("audit", Object.values(values), () => kysely.insertInto(AUDIT_TABLE).values(values)));
}

/** Reads audit records, newest first (internal; see LifecycleStore.audit). */
export async function readAudit(
  executor: Executor,
  kysely: Kysely<any>,
  options: { limit?: number; action?: AuditAction } = {},
): Promise<AuditRecord[]> {
  let query = kysely.selectFrom(AUDIT_TABLE).selectAll().orderBy("id", "desc");
  if (options.action) query = query.where("action", "=", options.action);
  const rows = await executor.all<Record<string, unknown>>(query.limit(options.limit ?? 100).compile());
  return rows.map((r) => ({
    id: Number(r["id"]),
    at: Number(r["at"]),
    actor: String(r["actor"]),
    action: r["action"] as AuditAction,
    table: (r["table_name"] as string | null) ?? null,
    key: (r["row_key"] as string | null) ?? null,
    group: (r["group_id"] as string | null) ?? null,
    rows: Number(r["row_count"]),
    detail: r["detail"] === null || r["detail"] === undefined ? null : JSON.parse(String(r["detail"])),
  }));
}
