import pg from "pg";

/**
 * True when a server at `url` accepts a connection and answers `select 1`
 * within `timeoutMs` (for the connection and the query each). Never throws.
 *
 * @example
 * if (!(await pingPostgres(primaryUrl, 500))) failures++;
 */
export async function pingPostgres(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // A server dying under an open connection must not crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
