import { backupError } from "../../backup/errors.js";

/** `postgres://` or `postgresql://`, in any case (URL schemes are case-insensitive). */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Parameters of a connection URL that carry secrets. */
const SECRET_PARAMS = ["password", "sslpassword", "sslkey"];

/** True for a `postgres://` or `postgresql://` URL, whatever its case. */
export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/**
 * A connection URL safe to print: the password (in the authority or as a
 * `password=` parameter) replaced by `***`. Something that does not parse
 * as a URL is still redacted by pattern.
 *
 * @example
 * redactPostgresUrl("postgres://app:s3cret@db:5432/shop?password=x"); // "postgres://app:***@db:5432/shop?password=***"
 */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, "***");
    // URLSearchParams encodes the stars; show them as written.
    return parsed.toString().replace(/%2A%2A%2A/g, "***");
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@").replace(/(password=)[^&]*/gi, "$1***");
  }
}

/** The URL with another database name (same server, user and parameters). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * The database a URL names and a URL of the same server's maintenance
 * database (to create or drop it from); bad URLs are `NINES_BACKUP_TARGET_INVALID`.
 *
 * @example
 * splitDatabaseUrl("postgres://app@db/shop"); // { database: "shop", maintenance: "postgres://app@db/postgres" }
 */
export function splitDatabaseUrl(url: string): { database: string; maintenance: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw backupError("targetInvalid", `'${redactPostgresUrl(url)}' is not a PostgreSQL URL`, {
      hint: "write postgres://USER@HOST:PORT/DATABASE",
      cause: error,
    });
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) {
    throw backupError("targetInvalid", `'${redactPostgresUrl(url)}' names no database`, {
      hint: "write postgres://USER@HOST:PORT/DATABASE",
    });
  }
  return { database, maintenance: withDatabase(url, database === "postgres" ? "template1" : "postgres") };
}
