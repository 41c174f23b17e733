// ClickTravel for real on loopback: the four services as processes, one
// instance each, orders on a PostgreSQL primary with a synchronous standby.
// Books a trip end to end through web, proves idempotency under retries,
// the analytics fallback, the inventory restore from trash, a database
// failover with no acknowledged booking lost, readiness failing when the
// database is gone, and the graceful drain on SIGTERM.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FailoverClient, failoverRetry } from "@nines/data";
import { dropProxy } from "./support/drop-proxy.js";
import { call, eventually } from "./support/http.js";
import { type PostgresPair, postgresMissing, startPostgresPair } from "./support/postgres-pair.js";
import { type ServiceProcess, startService, stopAll, waitForStatus } from "./support/service-process.js";

const ADMIN = { "x-admin-token": "drill-token" };
const skip = postgresMissing();

describe("ClickTravel on loopback", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "clicktravel-"));
  // PostgreSQL runs as the postgres user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  let pg: PostgresPair | undefined;
  let orders: ServiceProcess;
  let inventory: ServiceProcess;
  let analytics: ServiceProcess;
  let web: ServiceProcess;
  /** Bookings web acknowledged (201 or a repeat's 200): none may be lost, even by a failover. */
  const acknowledged = new Map<string, string>();

  const book = async (user: string, tripId: string, requestId = randomUUID()) => {
    const answer = await call("POST", `${web.url}/api/bookings`, { requestId, user, tripId, seats: 1 });
    if (answer.status === 201 || answer.status === 200) acknowledged.set(requestId, answer.json.booking.id);
    return answer;
  };
  const seatsLeft = async (tripId: string): Promise<number> => {
    const answer = await call("GET", `${web.url}/api/trips/${tripId}`);
    assert.equal(answer.status, 200, answer.text);
    return answer.json.seatsLeft;
  };

  before(async () => {
    pg = await startPostgresPair(dir);
    const common = {
      NINES_CAPACITY: "200",
      NINES_DRAIN_DELAY_MS: "100",
      NINES_DRAIN_GRACE_MS: "2000",
      ZONE: "z-a",
      REGION: "r",
    };
    [orders, inventory, analytics] = await Promise.all([
      startService("orders", { ...common, DATABASE_URLS: pg.urls.join(",") }),
      startService("inventory", {
        ...common,
        INVENTORY_DB: join(dir, "inventory.db"),
        ADMIN_TOKEN: ADMIN["x-admin-token"],
      }),
      startService("analytics", common),
    ]);
    web = await startService("web", {
      ...common,
      ORDERS_URL: orders.url,
      INVENTORY_URL: inventory.url,
      ANALYTICS_URL: analytics.url,
      // Every event and no cache, so that a search shows in the popular destinations at once.
      ANALYTICS_EVENT_SHARE: "1",
      ANALYTICS_POPULAR_CACHE_MS: "0",
    });
    await waitForStatus(`${web.url}/readyz`, (s) => s === 200, 20_000);
  });

  after(async () => {
    await stopAll();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the page and the search show trips and popular destinations", async () => {
    const search = await call("GET", `${web.url}/api/trips?to=Rome`);
    assert.equal(search.status, 200, search.text);
    assert.deepEqual(search.json.trips.map((t: { id: string }) => t.id).sort(), ["rome-1", "rome-2"]);
    assert.deepEqual(search.json.degraded, []);
    const popular = await eventually(
      async () => {
        const again = await call("GET", `${web.url}/api/trips`);
        return again.json.popular?.some((p: { destination: string }) => p.destination === "Rome") ? again : undefined;
      },
      5000,
      "the Rome searches counted by analytics",
    );
    assert.equal(popular.headers.get("x-clicktravel-degraded"), null);
    const page = await call("GET", `${web.url}/?to=Rome`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(page.text, /London &rarr; Rome/);
    assert.match(page.text, /<ol id="popular">/);
  });

  test("book a trip end to end, list it, cancel it: the seat is taken, then given back", async () => {
    const before = await seatsLeft("rome-1");
    const booked = await book("alice", "rome-1");
    assert.equal(booked.status, 201, booked.text);
    assert.equal(booked.json.created, true);
    assert.equal(booked.json.booking.status, "confirmed");
    assert.equal(booked.json.booking.price, 129);
    assert.equal(await seatsLeft("rome-1"), before - 1);
    const mine = await call("GET", `${web.url}/api/bookings?user=alice`);
    assert.ok(mine.json.bookings.some((b: { id: string }) => b.id === booked.json.booking.id));
    const theirs = await call("GET", `${web.url}/api/bookings?user=bob`);
    assert.deepEqual(theirs.json.bookings, [], "a user sees only their own bookings");
    const cancelled = await call("DELETE", `${web.url}/api/bookings/${booked.json.booking.id}?user=alice`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.booking.status, "cancelled");
    assert.equal(cancelled.json.seatReleased, true);
    assert.equal(await seatsLeft("rome-1"), before);
    const bad = await call("POST", `${web.url}/api/bookings`, { user: "alice", tripId: "rome-1" });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, "CLICKTRAVEL_BAD_REQUEST");
    const unknown = await book("alice", "mars-1");
    assert.equal(unknown.status, 404);
  });

  test("a booking repeated with its request id, even concurrently, books once", async () => {
    const requestId = randomUUID();
    const before = await seatsLeft("paris-1");
    const answers = await Promise.all(Array.from({ length: 6 }, () => book("carol", "paris-1", requestId)));
    for (const answer of answers) assert.ok(answer.status === 201 || answer.status === 200, answer.text);
    assert.equal(answers.filter((a) => a.status === 201).length, 1, "exactly one attempt created the booking");
    assert.equal(new Set(answers.map((a) => a.json.booking.id)).size, 1, "every repeat returns the same booking");
    const again = await book("carol", "paris-1", requestId);
    assert.equal(again.status, 200);
    assert.equal(again.json.created, false);
    const carol = await call("GET", `${web.url}/api/bookings?user=carol`);
    assert.equal(carol.json.bookings.length, 1);
    assert.equal(await seatsLeft("paris-1"), before - 1);
    const reused = await book("carol", "tokyo-1", requestId);
    assert.equal(reused.status, 409, "a request id reused for another booking is refused");
  });

  test("web's retry after a lost answer does not book twice", async (t) => {
    // orders handles the first booking request, then its answer is lost: web's policy retries it.
    const proxy = await dropProxy(orders.url, "POST /bookings", 1);
    t.after(() => proxy.close());
    const flakyWeb = await startService("web", {
      NINES_CAPACITY: "200",
      INSTANCE: "web-flaky",
      ORDERS_URL: proxy.url,
      INVENTORY_URL: inventory.url,
      NINES_CALLS: JSON.stringify([
        { target: "orders", retries: 2, backoff: "exponential", jitter: true, breaker: true, budget: 0.2 },
        { target: "inventory", retries: 2, backoff: "exponential", jitter: true, breaker: true },
      ]),
    });
    t.after(() => flakyWeb.stop());
    const requestId = randomUUID();
    const answer = await call("POST", `${flakyWeb.url}/api/bookings`, { requestId, user: "dave", tripId: "lisbon-1" });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.created, false, "the retry found the booking the lost attempt had made");
    assert.equal(proxy.dropped, 1);
    assert.equal(proxy.matched, 2, "one attempt lost, one retry");
    acknowledged.set(requestId, answer.json.booking.id);
    const dave = await call("GET", `${web.url}/api/bookings?user=dave`);
    assert.equal(dave.json.bookings.length, 1, "one booking, not two");
  });

  test("inventory: a trip deleted by mistake comes back from the trash with its reservations", async () => {
    const booked = await book("erin", "rome-2");
    assert.equal(booked.status, 201, booked.text);
    const left = await seatsLeft("rome-2");
    const refused = await call("DELETE", `${inventory.url}/admin/trips/rome-2`);
    assert.equal(refused.status, 403, "admin routes need the token");
    const deleted = await call("DELETE", `${inventory.url}/admin/trips/rome-2`, undefined, ADMIN);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.json.rows, 2, "the trip and erin's reservation");
    assert.equal((await call("GET", `${web.url}/api/trips/rome-2`)).status, 404);
    const trash = await call("GET", `${inventory.url}/admin/trash`, undefined, ADMIN);
    assert.ok(trash.json.trash.some((g: { key: string }) => g.key === "rome-2"));
    const restored = await call("POST", `${inventory.url}/admin/trips/rome-2/restore`, undefined, ADMIN);
    assert.equal(restored.status, 200, restored.text);
    assert.equal(restored.json.rows, 2);
    assert.equal(await seatsLeft("rome-2"), left, "the reservation came back with the trip");

    // The spec's disaster: every trip deleted at once, every trip restored.
    const all = (await call("GET", `${web.url}/api/trips`)).json.trips.length;
    const wiped = await call("DELETE", `${inventory.url}/admin/trips`, undefined, ADMIN);
    assert.equal(wiped.json.trips, all);
    assert.deepEqual((await call("GET", `${web.url}/api/trips`)).json.trips, []);
    const back = await call("POST", `${inventory.url}/admin/restore`, undefined, ADMIN);
    assert.equal(back.json.trips, all);
    assert.equal((await call("GET", `${web.url}/api/trips`)).json.trips.length, all);
  });

  test("analytics down: the page still renders, degraded, and web stays ready", async () => {
    analytics.child.kill("SIGKILL");
    await analytics.exited;
    const page = await call("GET", `${web.url}/?to=Rome`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Popular destinations are unavailable/);
    assert.match(page.text, /London &rarr; Rome/);
    assert.equal(page.headers.get("x-clicktravel-degraded"), "analytics");
    const api = await call("GET", `${web.url}/api/trips?to=Rome`);
    assert.equal(api.status, 200);
    assert.equal(api.json.popular, null);
    assert.deepEqual(api.json.degraded, ["analytics"]);
    assert.equal((await book("frank", "nyc-1")).status, 201, "booking does not need analytics");
    const ready = await eventually(
      async () => {
        const answer = await call("GET", `${web.url}/readyz`);
        return answer.json.checks.analytics.status === "down" ? answer : undefined;
      },
      15_000,
      "analytics seen down",
    );
    assert.equal(ready.status, 200, "a non-critical dependency down only degrades");
    assert.equal(ready.json.status, "degraded");
  });

  test("the orders database primary crashes: the standby takes over, no acknowledged booking is lost", async () => {
    const database = pg as PostgresPair;
    await database.primary.crash();
    await database.standby.promote();
    const requestId = randomUUID();
    // The client retries with the same request id while the failover settles.
    const answer = await eventually(
      async () => {
        const attempt = await book("grace", "berlin-1", requestId);
        return attempt.status < 300 ? attempt : undefined;
      },
      30_000,
      "a booking after the failover",
    );
    assert.ok(answer.json.booking.id);
    const check = new FailoverClient({
      hosts: [database.standby.url()],
      policy: failoverRetry({ maxElapsedMs: 5000 }),
    });
    try {
      const stored = await check.query("select request_id, id from bookings");
      const onStandby = new Map(stored.rows.map((r) => [String(r["request_id"]), String(r["id"])]));
      const lost = [...acknowledged].filter(([requestId, id]) => onStandby.get(requestId) !== id);
      assert.deepEqual(lost, [], "every acknowledged booking is on the promoted standby");
      assert.ok(acknowledged.size >= 5);
    } finally {
      await check.close();
    }
  });

  test("readiness fails when the database is gone, and comes back with it", async () => {
    const database = pg as PostgresPair;
    await database.standby.stop();
    await waitForStatus(`${orders.url}/readyz`, (s) => s === 503, 20_000);
    await waitForStatus(`${web.url}/readyz`, (s) => s === 503, 20_000);
    assert.equal((await call("GET", `${orders.url}/livez`)).status, 200, "alive: a dependency down is not a restart");
    await database.standby.start();
    await waitForStatus(`${orders.url}/readyz`, (s) => s === 200, 30_000);
  });

  test("SIGTERM drains: readiness fails first, the request in flight completes, the process exits 0", async () => {
    // One slot of 500 ms: a request in flight lasts long enough to watch the drain.
    const slow = await startService("analytics", {
      NINES_CAPACITY: "2",
      INSTANCE: "analytics-drain",
      NINES_DRAIN_DELAY_MS: "400",
      NINES_DRAIN_GRACE_MS: "5000",
    });
    const inflight = call("POST", `${slow.url}/events`, { type: "search", destination: "Oslo" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    slow.child.kill("SIGTERM");
    await waitForStatus(`${slow.url}/readyz`, (s) => s === 503, 300);
    const answer = await inflight;
    assert.equal(answer.status, 202, "the request in flight was served");
    const { code } = await slow.exited;
    assert.equal(code, 0);
    assert.match(slow.stderr(), /drained in \d+ ms, 0 request(\(s\)|s) cut off, cleanup ok/);
    await assert.rejects(fetch(`${slow.url}/livez`), "nothing listens after the drain");
  });
});
