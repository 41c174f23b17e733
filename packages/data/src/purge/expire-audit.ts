// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { Kysely } from "kysely";
import type { Executor } from "../connection/executor.js";
import { AUDIT_ROWS_TABLE, AUDIT_TABLE } from "../lifecycle/schema.js";

const BATCH = 1000;

/** How many audit records are older than `before` (what a run would remove). */
export async function countExpiredAudit(executor: Executor, kysely: Kysely<any>, before: number): Promise<number> {
  const row = await executor.first<{ n: unknown }>(
    kysely
      .selectFrom(AUDIT_TABLE)
      .select((eb) => eb.fn.countAll().as("n"))
      .where("at", "<", before)
      .compile(),
  );
  return Number(row?.n ?? 0);
}

/**
 * Removes the audit records older than `before` with the rows they name,
 * oldest first, in transactions of 1,000 records (a kill leaves whole
 * records behind, and a rerun carries on). Stops early when `signal` aborts.
 */
export async function expireAudit(
  executor: Executor,
  kysely: Kysely<any>,
  before: number,
  signal?: AbortSignal,
): Promise<number> {
  let removed = 0;
  while (!signal?.aborted) {
    const done = await executor.transaction(async (tx) => {
      const ids = (
        await tx.all<{ id: unknown }>(
          kysely.selectFrom(AUDIT_TABLE).select("id").where("at", "<", before).orderBy("id").limit(BATCH).compile(),
        )
      ).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      await tx.run(kysely.deleteFrom(AUDIT_ROWS_TABLE).where("audit_id", "in", ids).compile());
      return await tx.run(kysely.deleteFrom(AUDIT_TABLE).where("id", "in", ids).compile());
    });
    if (done === 0) break;
    removed += done;
  }
  return removed;
}
