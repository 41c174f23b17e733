import { findPostgresBin } from "../../src/postgres/binaries.js";

/**
 * Whether tests that start their own PostgreSQL servers can run. In CI a
 * missing install is a failure (`.ci/run` installs Debian's postgresql);
 * elsewhere those tests are skipped with the reason printed.
 */
export function postgresBinariesOrSkip(): { skip: false } | { skip: string } {
  try {
    findPostgresBin();
    return { skip: false };
  } catch (error) {
    const reason = `PostgreSQL server programs are missing (${(error as Error).message}); install them with 'apt-get install -y postgresql'`;
    if (process.env["CI"]) throw new Error(`CI needs PostgreSQL: ${reason}`);
    console.warn(`SKIPPING PostgreSQL server tests: ${reason}`);
    return { skip: reason };
  }
}
