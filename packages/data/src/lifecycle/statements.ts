import type { Compilable, CompiledQuery } from "kysely";
import type { Statement } from "../connection/executor.js";

/**
 * Compiles each query shape once with Kysely and reuses the SQL text with
 * fresh parameters afterwards: building and compiling a query costs more
 * than running a point read on SQLite, and the store must stay within
 * 1.5x of hand-written statements. The SQL is cached only when the parameters
 * the caller lists match Kysely's own, in order, on the first build.
 *
 * @example
 * const get = cache.statement(`get:${table}`, [id], () => kysely.selectFrom(table).selectAll().where("id", "=", id));
 */
export class StatementCache {
  readonly #sql = new Map<string, string>();

  statement(shape: string, parameters: unknown[], build: () => Compilable): Statement | CompiledQuery {
    const text = this.#sql.get(shape);
    if (text !== undefined) return { sql: text, parameters };
    const compiled = build().compile();
    const same =
      compiled.parameters.length === parameters.length && compiled.parameters.every((p, i) => p === parameters[i]);
    // Kysely may normalise a value (NaN becomes null): then run this statement as compiled and cache nothing.
    if (!same) return compiled;
    this.#sql.set(shape, compiled.sql);
    return compiled;
  }
}
