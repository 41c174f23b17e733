import { sql } from "kysely";
import type { LifecycleSql } from "../lifecycle-sql.js";

/**
 * The lifecycle store's SQL on PostgreSQL: `bigint` instants, a
 * `bigserial` audit id, an advisory lock around schema preparation and
 * `select ... for update` on the rows a delete or restore reads.
 *
 * @example
 * postgresLifecycleSql.schemaLock; // "select pg_advisory_xact_lock(hashtext('nines_ensure_schema'))"
 */
export const postgresLifecycleSql: LifecycleSql = {
  stampType: sql.raw("bigint"),
  auditId: sql.raw("bigserial primary key"),
  keyOrdered: sql.raw(""),
  columnsQuery:
    "select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema()",
  schemaLock: "select pg_advisory_xact_lock(hashtext('nines_ensure_schema'))",
  lockRows: (query) => query.forUpdate(),
};
