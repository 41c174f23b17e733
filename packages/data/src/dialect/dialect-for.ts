import { databaseError } from "../connection/errors.js";
import type { Dialect, EngineName } from "./dialect.js";
import { PostgresDialect } from "./postgres/postgres-dialect.js";
import { SqliteDialect } from "./sqlite/sqlite-dialect.js";

/**
 * The dialect for a database location: PostgreSQL for `postgres://` and
 * `postgresql://` URLs (any case), SQLite for file paths. Any other
 * `scheme://` location is refused (`NINES_DATA_ENGINE_UNKNOWN`) rather than
 * taken for a file name.
 *
 * @example
 * dialectFor("POSTGRES://app@db/shop").name; // "postgres"
 * dialectFor("./app.db").name;                // "sqlite"
 */
export function dialectFor(location: string): Dialect {
  for (const dialect of [new PostgresDialect(), new SqliteDialect()]) if (dialect.accepts(location)) return dialect;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1] ?? location;
  throw databaseError("engineUnknown", `'${scheme}://' names no database engine nines speaks`, {
    hint: "give a SQLite file path or a postgres://USER@HOST:PORT/DATABASE URL",
  });
}

/**
 * The dialect of an engine by name, e.g. the one a backup's manifest names.
 *
 * @example
 * dialectNamed(manifest.engine).backup.dataFile; // "data.sqlite"
 */
export function dialectNamed(name: EngineName): Dialect {
  return name === "postgres" ? new PostgresDialect() : new SqliteDialect();
}
