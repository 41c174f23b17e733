// The orders service: bookings in PostgreSQL (primary + synchronous
// standby through FailoverClient), idempotent by client request id.
// See ../../README.md.
import { FailoverClient, failoverRetry } from "@nines/data";
import { Bookings } from "../orders/bookings.js";
import { ordersRoutes } from "../orders/orders-routes.js";
import { readConfig, requireVariable } from "../runtime/config.js";
import { ClickTravelError } from "../runtime/errors.js";
import { runMain } from "../runtime/main.js";
import { startService } from "../runtime/service-host.js";

await runMain("orders", async () => {
  const config = readConfig("orders", process.env);
  const hosts = requireVariable(config, "DATABASE_URLS", "comma-separated PostgreSQL URLs (primary, standby)")
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  for (const url of hosts) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new ClickTravelError("config", `DATABASE_URLS has ${JSON.stringify(url)}, not a PostgreSQL URL`, {
        hint: "set DATABASE_URLS to postgres://user@host:port/db URLs separated by commas",
      });
    }
  }
  // Every statement is idempotent (a unique request id, cancel is a no-op the second time),
  // so the failover policy may retry even a commit whose answer was lost.
  const db = new FailoverClient({
    hosts,
    policy: failoverRetry({ idempotent: true, maxElapsedMs: 15_000 }),
    connectTimeoutMs: 1000,
  });
  const bookings = new Bookings(db);
  return await startService({
    config,
    routes: ordersRoutes(bookings),
    readiness: [{ name: "orders-db", check: (signal) => bookings.ping(signal), timeoutMs: 1000 }],
    start: () => bookings.prepare(),
    cleanup: [{ name: "orders-db", run: () => db.close() }],
    // An orders request waits on PostgreSQL outside its worker slot: let more in than there are slots.
    inflightPerSlot: 4,
  });
});
