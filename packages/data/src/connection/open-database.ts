import type { DataConnection, OpenDatabaseOptions } from "../dialect/dialect.js";
import { dialectFor } from "../dialect/dialect-for.js";

/**
 * Opens a SQLite file or a PostgreSQL URL (`postgres://` or `postgresql://`,
 * any case) through Kysely 0.28 (better-sqlite3 12 / pg 8), with the
 * engine's `Dialect`. Another `scheme://` location is refused
 * (`NINES_DATA_ENGINE_UNKNOWN`) rather than taken for a file name.
 *
 * @example
 * const db = await openDatabase("app.db");                         // SQLite, WAL mode
 * const pgdb = await openDatabase("postgres://app@127.0.0.1/shop", { schema: "tenant_a" });
 * await db.close();
 */
export async function openDatabase(target: string, options: OpenDatabaseOptions = {}): Promise<DataConnection> {
  return await dialectFor(target).open(target, options);
}
