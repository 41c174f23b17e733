import type { BackupEngineName } from "../manifest.js";
import type { BackupEngine } from "./engine.js";
import { PostgresEngine } from "./postgres-engine.js";
import { SqliteEngine } from "./sqlite-engine.js";

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The engine for a database location: PostgreSQL for `postgres://` URLs,
 * SQLite for file paths; or the engine a manifest names.
 *
 * @example
 * engineFor("postgres://app@127.0.0.1/orders").name; // "postgres"
 * engineFor("./app.db").name; // "sqlite"
 */
export function engineFor(location: string): BackupEngine {
  return isPostgresUrl(location) ? new PostgresEngine() : new SqliteEngine();
}

/** The engine a backup was taken with. */
export function engineNamed(name: BackupEngineName): BackupEngine {
  return name === "postgres" ? new PostgresEngine() : new SqliteEngine();
}
