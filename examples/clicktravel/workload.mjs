// The drill workload of ClickTravel (docs/drill.md, "Workloads"): what
// `nines drill examples/clicktravel/nines.yaml` drives the system with.
// Five journeys of one request each, weighted so that web, inventory and
// orders get the spec's loads (scaled): search (web, inventory), book (web,
// inventory, orders), cancel (web, orders, inventory: bookings are
// cancelled as fast as they are made, so seats never run out), list my
// bookings (web, orders), and the home page's popular destinations (web
// alone) for the rest of web's load. Analytics gets its load from web's
// own sampling (README "Analytics traffic"), not from the journeys. Bookings are the acknowledged writes checked in
// orders-db after each scenario; the deletion and the query of death use
// inventory's own API.

const TRIPS = ["rome-1", "rome-2", "paris-1", "paris-2", "tokyo-1", "lisbon-1", "berlin-1", "nyc-1", "sydney-1"];
const DESTINATIONS = ["Rome", "Paris", "Tokyo", "Lisbon", "Berlin", "New York", "Sydney"];
const USERS = 50;
/** Bookings kept for the cancel journey (the oldest are dropped beyond it). */
const POOL = 1000;

/** The spec's loads of web, inventory and orders at the run's scale, and the journeys' shares. */
function mix(plan) {
  const load = (name) => plan.services.find((s) => s.name === name)?.load ?? 0;
  const inventory = load("inventory");
  const orders = load("orders");
  const book = orders / 6;
  const search = Math.max(0, inventory - 2 * book);
  const list = Math.max(0, orders - 2 * book);
  const home = Math.max(0, load("web") - (search + 2 * book + list));
  return { search, book, cancel: book, list, home };
}

const pick = (random, list) => list[Math.floor(random.next() * list.length)];

/** @type {import("@nines/drill").Workload} */
const workload = {
  name: "clicktravel",
  rate(plan) {
    const m = mix(plan);
    return m.search + m.book + m.cancel + m.list + m.home;
  },
  journeys(context) {
    const m = mix(context.plan);
    const booked = [];
    const list = async (journey) => {
      const user = `user-${journey.index % USERS}`;
      await journey.request("list", { path: `/api/bookings?user=${user}` });
    };
    return [
      {
        name: "search",
        weight: m.search,
        async run(journey) {
          const to = encodeURIComponent(pick(journey.random, DESTINATIONS));
          const answer = await journey.request("search", { path: `/api/trips?to=${to}` });
          if (answer?.status === 200 && answer.headers["x-clicktravel-degraded"]) context.mark("degraded");
        },
      },
      {
        name: "book",
        weight: m.book,
        async run(journey) {
          const requestId = `drill-${Math.floor(journey.random.next() * 1e9).toString(36)}-${journey.index}`;
          const user = `user-${journey.index % USERS}`;
          const answer = await journey.request("book", {
            path: "/api/bookings",
            method: "POST",
            // The booking is keyed by its request id: the front door may send it again when web dies with it.
            headers: { "idempotency-key": requestId },
            body: { requestId, user, tripId: pick(journey.random, TRIPS), seats: 1 },
          });
          if (answer !== null && (answer.status === 200 || answer.status === 201)) {
            context.acknowledge(requestId);
            const id = answer.json()?.booking?.id;
            if (typeof id === "string") booked.push({ id, user });
            if (booked.length > POOL) booked.shift();
          } else if (answer === null || answer.status >= 500) {
            // No answer, or a failure after web may have booked: the client cannot know.
            context.ambiguous(requestId);
          }
        },
      },
      {
        name: "cancel",
        weight: m.cancel,
        async run(journey) {
          const booking = booked.shift();
          if (booking === undefined) return await list(journey);
          const answer = await journey.request("cancel", {
            path: `/api/bookings/${encodeURIComponent(booking.id)}?user=${booking.user}`,
            method: "DELETE",
          });
          if (answer === null || answer.status >= 500) booked.push(booking);
        },
      },
      { name: "list", weight: m.list, run: list },
      {
        name: "home",
        weight: m.home,
        async run(journey) {
          const answer = await journey.request("home", { path: "/api/popular" });
          if (answer?.status === 200 && answer.headers["x-clicktravel-degraded"]) context.mark("degraded");
        },
      },
    ];
  },
  steps: {
    search: ["web", "inventory"],
    book: ["web", "inventory", "orders"],
    cancel: ["web", "orders", "inventory"],
    list: ["web", "orders"],
    home: ["web"],
  },
  writes: { store: "orders-db", table: "bookings", column: "request_id", steps: ["book"] },
  deletion: [
    {
      store: "inventory-db",
      mechanism: "lazy-deletion",
      async count(context) {
        const answer = await admin(context, "GET", "/trips?limit=1000");
        return answer.trips.length;
      },
      async delete(context) {
        return (await admin(context, "DELETE", "/admin/trips")).rows;
      },
      async restore(context) {
        return (await admin(context, "POST", "/admin/restore")).rows;
      },
    },
  ],
  queryOfDeath: { service: "inventory", request: { path: "/api/trips/atlantis" } },
};

/** Calls inventory's own API on a ready instance, with the admin token of its `run.env`. */
async function admin(context, method, path) {
  const token = context.plan.services.find((s) => s.name === "inventory")?.env.ADMIN_TOKEN ?? "";
  const response = await fetch(`${context.instanceUrl("inventory")}${path}`, {
    method,
    headers: { "x-admin-token": token },
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`inventory ${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

export default workload;
