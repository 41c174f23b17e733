import type { CompiledQuery } from "kysely";
import type pg from "pg";
import type { Executor, Statement } from "../../connection/executor.js";

type Queryable = Pick<pg.Pool, "query">;

/**
 * An {@link Executor} on a `pg` pool: statements outside a transaction go
 * to any pooled connection; a transaction checks one connection out and
 * runs BEGIN/COMMIT on it.
 *
 * @example
 * const executor = new PostgresExecutor(new pg.Pool({ connectionString: url }));
 * await executor.all({ sql: "select count(*)::int as n from notes", parameters: [] });
 */
export class PostgresExecutor implements Executor {
  readonly engine = "postgres" as const;
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async all<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R[]> {
    return await rows<R>(this.#pool, statement);
  }

  async first<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R | undefined> {
    return (await rows<R>(this.#pool, statement))[0];
  }

  async run(statement: Statement | CompiledQuery): Promise<number> {
    return await changes(this.#pool, statement);
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await fn(new PostgresTransaction(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

class PostgresTransaction implements Executor {
  readonly engine = "postgres" as const;
  readonly #client: pg.PoolClient;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  async all<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R[]> {
    return await rows<R>(this.#client, statement);
  }

  async first<R = Record<string, unknown>>(statement: Statement | CompiledQuery): Promise<R | undefined> {
    return (await rows<R>(this.#client, statement))[0];
  }

  async run(statement: Statement | CompiledQuery): Promise<number> {
    return await changes(this.#client, statement);
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return await fn(this);
  }
}

async function rows<R>(db: Queryable, statement: Statement | CompiledQuery): Promise<R[]> {
  const result = await db.query(statement.sql, statement.parameters as unknown[]);
  return result.rows as R[];
}

async function changes(db: Queryable, statement: Statement | CompiledQuery): Promise<number> {
  const result = await db.query(statement.sql, statement.parameters as unknown[]);
  return result.rowCount ?? 0;
}
