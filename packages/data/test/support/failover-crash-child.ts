// A process of its own for the failover crash test: a FailoverClient that has
// run statements (its pool is idle) and has long statements in flight when
// the parent SIGKILLs the primary. It must survive (no unhandled 'error' from
// a pooled pg client) and write to the promoted standby.
//   failover-crash-child.ts PRIMARY_URL STANDBY_URL
// Prints "ready" once the statements are in flight, then one JSON line:
// { long: ["ok" | error code...], primary, wrote: true }.
import { isNinesError } from "@nines/core";
import { FailoverClient } from "../../src/failover/failover-client.js";
import { failoverRetry } from "../../src/failover/failover-retry.js";

const hosts = process.argv.slice(2);
const db = new FailoverClient({
  hosts,
  policy: failoverRetry({ idempotent: true, maxElapsedMs: 30_000 }),
  connectTimeoutMs: 500,
});
// Idle: statements that ran and finished.
for (let i = 0; i < 5; i++) await db.query("insert into t values ($1) on conflict do nothing", [`before-${i}`]);
// Checked out: statements running when the server dies (their backends exit without a word).
const long = Array.from({ length: 4 }, () =>
  db.query("select pg_sleep(5)").then(
    () => "ok",
    (error: unknown) => (isNinesError(error) ? error.code : String(error)),
  ),
);
process.stdout.write("ready\n");
const outcomes = await Promise.all(long);
await db.query("insert into t values ('after') on conflict do nothing");
process.stdout.write(`${JSON.stringify({ long: outcomes, primary: db.primary, wrote: true })}\n`);
await db.close();
