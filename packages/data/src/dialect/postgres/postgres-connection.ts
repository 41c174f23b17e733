import { Kysely, PostgresDialect as KyselyPostgresDialect } from "kysely";
import pg from "pg";
import { databaseError } from "../../connection/errors.js";
import type { DataConnection, Dialect, OpenDatabaseOptions } from "../dialect.js";
import { PostgresExecutor } from "./postgres-executor.js";
import { redactPostgresUrl } from "./postgres-url.js";

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function reachError(url: string, error: unknown) {
  return databaseError("open", `cannot reach PostgreSQL at ${redactPostgresUrl(url)}: ${(error as Error).message}`, {
    cause: error,
    hint: "check the URL, that the server runs, and the credentials",
  });
}

/**
 * Opens a `pg` pool for both Kysely and the store's executor; `schema` sets
 * `search_path` (and is created when missing).
 *
 * @example
 * const db = await openPostgres(new PostgresDialect(), "postgres://app@db/shop", { schema: "tenant_a" });
 */
export async function openPostgres(
  dialect: Dialect,
  url: string,
  options: OpenDatabaseOptions,
): Promise<DataConnection> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw databaseError("open", `schema name '${schema}' is not a plain identifier`, {
      hint: "use letters, digits and underscores",
    });
  }
  if (schema !== undefined) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query(`create schema if not exists "${schema}"`);
    } catch (error) {
      throw reachError(url, error);
    } finally {
      await client.end().catch(() => {});
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  pool.on("error", () => {
    // An idle connection dropped by the server: the pool replaces it; statements report their own errors.
  });
  try {
    await pool.query("select 1");
  } catch (error) {
    await pool.end();
    throw reachError(url, error);
  }
  const kysely = new Kysely({ dialect: new KyselyPostgresDialect({ pool }) });
  return {
    dialect,
    target: url,
    kysely,
    executor: new PostgresExecutor(pool),
    async close() {
      // Kysely's destroy ends the pool.
      await kysely.destroy();
    },
  };
}
