import type { CompiledQuery } from "kysely";
import type { EngineName } from "../dialect/engine-name.js";

/** A statement ready to run: SQL with the engine's placeholders and its parameters. */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * The small contract the lifecycle store and the purge worker run their
 * statements through. Kysely builds and compiles the SQL once per shape;
 * an executor runs it on the driver with as little in between as possible
 * (SQLite: a cache of prepared statements; PostgreSQL: the pool), because
 * the lazy-deletion layer must cost at most 1.5x hand-written statements.
 *
 * @example
 * const rows = await executor.all<{ n: number }>({ sql: "select 1 as n", parameters: [] });
 * await executor.transaction(async (tx) => {
 *   await tx.run({ sql: "update notes set title = ? where id = ?", parameters: ["x", 1] });
 * });
 */
export interface Executor {
  /** The engine it runs on. */
  readonly engine: EngineName;
  /** Runs a statement and returns its rows. */
  all<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R[]>;
  /** Runs a statement and returns its first row (SQLite stops stepping after it). */
  first<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(statement: Statement | CompiledQuery): Promise<number>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back
   * when it throws (then the error is rethrown). Nested calls join the
   * outer transaction.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}
