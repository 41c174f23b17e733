import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect as KyselySqliteDialect } from "kysely";
import { databaseError } from "../../connection/errors.js";
import type { DataConnection, Dialect, OpenDatabaseOptions } from "../dialect.js";
import { SqliteExecutor } from "./sqlite-executor.js";

/**
 * Opens a SQLite file with two connections in WAL mode: one for Kysely, one
 * for the store's executor.
 *
 * @example
 * const db = openSqlite(new SqliteDialect(), "app.db", { create: false });
 */
export function openSqlite(dialect: Dialect, file: string, options: OpenDatabaseOptions): DataConnection {
  if (options.create === false && !existsSync(file)) {
    throw databaseError("missing", `database file ${file} does not exist`, {
      hint: "check the --db path; nines never creates a database it was asked to change",
    });
  }
  const open = () => {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    // NORMAL is durable across process crashes in WAL mode; only a power loss can lose the last commits.
    db.pragma("synchronous = NORMAL");
    return db;
  };
  let store: Database.Database;
  let app: Database.Database;
  try {
    store = open();
    app = open();
  } catch (error) {
    throw databaseError("open", `cannot open SQLite database ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: "check that the file is a SQLite database and that you may write to its folder",
    });
  }
  const kysely = new Kysely({ dialect: new KyselySqliteDialect({ database: app }) });
  return {
    dialect,
    target: file,
    kysely,
    executor: new SqliteExecutor(store),
    async close() {
      await kysely.destroy();
      store.close();
    },
  };
}
