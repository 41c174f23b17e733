import type { RawBuilder, SelectQueryBuilder } from "kysely";

/**
 * The SQL of the lifecycle store that SQLite and PostgreSQL spell
 * differently: what `ensureSchema` creates, how it keeps two instances from
 * preparing one database at once, and how a delete or restore locks the row
 * it reads. The store asks `dialect.lifecycle`; it never checks the engine.
 *
 * @example
 * const { stampType } = dialectFor("app.db").lifecycle;
 * sql`alter table notes add column nines_purge_at ${stampType}`; // integer on SQLite, bigint on PostgreSQL
 */
export interface LifecycleSql {
  /** The column type of an instant (epoch milliseconds, 64 bits). */
  readonly stampType: RawBuilder<unknown>;
  /** The audit table's id column: a 64-bit primary key that grows with each record. */
  readonly auditId: RawBuilder<unknown>;
  /**
   * What ends the `create table` of a table read by its primary key only,
   * so the rows are stored in key order where the engine can (SQLite's
   * `without rowid`; empty on PostgreSQL, whose tables are heaps).
   */
  readonly keyOrdered: RawBuilder<unknown>;
  /** A query listing every table of the current schema with its columns, as rows `{ t, c }`. */
  readonly columnsQuery: string;
  /**
   * A statement run first in the schema transaction so that instances
   * preparing one database at once take turns; undefined where the
   * transaction already does (SQLite's BEGIN IMMEDIATE).
   */
  readonly schemaLock: string | undefined;
  /**
   * `query` made to lock the rows it reads until the transaction ends, so
   * two deletes or restores of one row run one after the other; unchanged
   * where writers are serialised already (SQLite).
   */
  lockRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
}
