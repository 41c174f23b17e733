import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import { META } from "./phase.js";

/**
 * A Kysely filter that keeps live rows only: hand it to `.where()` in the
 * application's own queries (lists, counts, searches, aggregates, joins) so
 * that deleted rows never leak. Pass the table's alias in joins.
 *
 * @example
 * const open = await db.kysely.selectFrom("notes").selectAll().where(visible()).execute();
 * const perFolder = await db.kysely
 *   .selectFrom("folders as f").innerJoin("notes as n", "n.folder_id", "f.id")
 *   .where(visible("f")).where(visible("n"))
 *   .select(["f.id", (eb) => eb.fn.countAll().as("notes")]).groupBy("f.id").execute();
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any table of any database type.
export function visible(alias?: string): (eb: ExpressionBuilder<any, any>) => Expression<SqlBool> {
  const column = alias === undefined ? META.deletedAt : `${alias}.${META.deletedAt}`;
  return (eb) => eb(eb.ref(column), "is", null);
}
