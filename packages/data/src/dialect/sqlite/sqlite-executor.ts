import type BetterSqlite3 from "better-sqlite3";
import type { CompiledQuery } from "kysely";
import type { Executor, Statement } from "../../connection/executor.js";

type Prepared = BetterSqlite3.Statement<unknown[], Record<string, unknown>>;

/**
 * An {@link Executor} on one better-sqlite3 connection. Prepared statements
 * are cached by SQL text. better-sqlite3 is synchronous, but the store's
 * transactions are async functions, so a transaction holds a lock that
 * every other statement on this executor waits for: nothing from outside
 * ever runs inside someone else's transaction.
 *
 * @example
 * const executor = new SqliteExecutor(new Database("app.db"));
 * await executor.all({ sql: "select count(*) as n from notes", parameters: [] });
 */
export class SqliteExecutor implements Executor {
  readonly engine = "sqlite" as const;
  readonly db: BetterSqlite3.Database;
  readonly #cache = new Map<string, Prepared>();
  #lock: Promise<void> | undefined;

  constructor(db: BetterSqlite3.Database) {
    this.db = db;
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#cache.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql) as Prepared;
      // Bound the cache: ad-hoc SQL (filters of many shapes) must not grow it forever.
      if (this.#cache.size >= 500) this.#cache.clear();
      this.#cache.set(sql, prepared);
    }
    return prepared;
  }

  allNow<R>(statement: Statement | CompiledQuery): R[] {
    const prepared = this.#prepare(statement.sql);
    const parameters = statement.parameters as unknown[];
    if (!prepared.reader) {
      prepared.run(...parameters);
      return [];
    }
    return prepared.all(...parameters) as R[];
  }

  firstNow<R>(statement: Statement | CompiledQuery): R | undefined {
    const prepared = this.#prepare(statement.sql);
    const parameters = statement.parameters as unknown[];
    if (!prepared.reader) {
      prepared.run(...parameters);
      return undefined;
    }
    return prepared.get(...parameters) as R | undefined;
  }

  runNow(statement: Statement | CompiledQuery): number {
    const prepared = this.#prepare(statement.sql);
    const parameters = statement.parameters as unknown[];
    if (prepared.reader) return prepared.all(...parameters).length;
    return prepared.run(...parameters).changes;
  }

  all<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R[]> {
    return this.#when(() => this.allNow<R>(statement));
  }

  first<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R | undefined> {
    return this.#when(() => this.firstNow<R>(statement));
  }

  run(statement: Statement | CompiledQuery): Promise<number> {
    return this.#when(() => this.runNow(statement));
  }

  /** Runs `work` now when no transaction holds the connection (no extra async frame on the hot path), else after it. */
  #when<T>(work: () => T): Promise<T> {
    if (this.#lock === undefined) {
      try {
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#later(work);
  }

  async #later<T>(work: () => T): Promise<T> {
    while (this.#lock !== undefined) await this.#lock;
    return work();
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    while (this.#lock !== undefined) await this.#lock;
    let release = () => {};
    this.#lock = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = new SqliteTransaction(this);
    try {
      // IMMEDIATE takes the write lock at once, so two processes never deadlock upgrading read locks.
      this.db.exec("BEGIN IMMEDIATE");
      const result = await fn(tx);
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    } finally {
      this.#lock = undefined;
      release();
    }
  }
}

/** The view of a {@link SqliteExecutor} inside its own transaction: no lock, nested calls join. */
class SqliteTransaction implements Executor {
  readonly engine = "sqlite" as const;
  readonly #owner: SqliteExecutor;

  constructor(owner: SqliteExecutor) {
    this.#owner = owner;
  }

  async all<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R[]> {
    return this.#owner.allNow<R>(statement);
  }

  async first<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R | undefined> {
    return this.#owner.firstNow<R>(statement);
  }

  async run(statement: Statement | CompiledQuery): Promise<number> {
    return this.#owner.runNow(statement);
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return await fn(this);
  }
}
