import { sql } from "kysely";
import type { LifecycleSql } from "../lifecycle-sql.js";

/**
 * The lifecycle store's SQL on SQLite: `integer` instants (64-bit there),
 * an `autoincrement` audit id, key-ordered (`without rowid`) tables, and no
 * locks beyond the transaction's own (BEGIN IMMEDIATE serialises writers).
 *
 * @example
 * sqliteLifecycleSql.schemaLock; // undefined
 */
export const sqliteLifecycleSql: LifecycleSql = {
  stampType: sql.raw("integer"),
  auditId: sql.raw("integer primary key autoincrement"),
  keyOrdered: sql.raw(" without rowid"),
  columnsQuery:
    "select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table'",
  schemaLock: undefined,
  lockRows: (query) => query,
};
