import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { postgresServerError } from "./errors.js";

/**
 * Finds the directory of PostgreSQL's server programs (initdb, postgres,
 * pg_basebackup...): `NINES_PG_BIN` when set, else the newest Debian
 * install under /usr/lib/postgresql.
 *
 * @example
 * const bin = findPostgresBin(); // "/usr/lib/postgresql/15/bin"
 */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env["NINES_PG_BIN"];
  if (explicit) {
    if (existsSync(join(explicit, "postgres"))) return explicit;
    throw postgresServerError("missing", `NINES_PG_BIN=${explicit} has no 'postgres' program`, {
      hint: "point NINES_PG_BIN at the bin directory of a PostgreSQL install, or unset it",
    });
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw postgresServerError("missing", "no PostgreSQL server programs found under /usr/lib/postgresql", {
      hint: "install them with 'apt-get install -y postgresql', or set NINES_PG_BIN",
    });
  }
  return join(root, newest, "bin");
}
