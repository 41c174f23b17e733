// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { Clock } from "@nines/core";
import { type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { DataConnection } from "../dialect/dialect.js";
import type { Declaration, DeclaredTable } from "./declaration.js";
import { META, stamp } from "./phase.js";
import type { StatementCache } from "./statements.js";

/** What the store's operations share: the database, the declaration, the clock and the compiled statements. */
export interface StoreContext {
  readonly connection: DataConnection;
  readonly declaration: Declaration;
  readonly clock: Clock;
  readonly kysely: Kysely<any>;
  readonly executor: Executor;
  readonly cache: StatementCache;
  /** The declared table named `name`, or NINES_DATA_TABLE_UNKNOWN. */
  table(name: string): DeclaredTable;
}

/** A row's owner and lifecycle columns. */
export interface RowMeta {
  owner: string | null;
  deletedAt: number | null;
  softAt: number | null;
  purgeAt: number | null;
  group: string | null;
  hold: string | null;
}

/** Reads a row's owner and lifecycle columns, locking the row (`dialect.lifecycle.lockRows`); undefined when there is no such row. */
export async function readMeta(
  ctx: StoreContext,
  tx: Executor,
  t: DeclaredTable,
  key: unknown,
): Promise<RowMeta | undefined> {
  const statement = ctx.cache.statement(`meta:${t.name}`, [key], () => {
    const q = ctx.kysely
      .selectFrom(t.name)
      .select([sql.ref(t.owner).as("owner"), META.deletedAt, META.group, META.softAt, META.purgeAt, META.hold])
      .where(t.key, "=", key);
    // Lock the row, so two concurrent deletes or restores of it run one after the other.
    return ctx.connection.dialect.lifecycle.lockRows(q);
  });
  const row = await tx.first<Record<string, unknown>>(statement);
  if (!row) return undefined;
  return {
    owner: row["owner"] === null ? null : String(row["owner"]),
    deletedAt: stamp(row[META.deletedAt]),
    softAt: stamp(row[META.softAt]),
    purgeAt: stamp(row[META.purgeAt]),
    group: (row[META.group] as string | null) ?? null,
    hold: (row[META.hold] as string | null) ?? null,
  };
}
