import { randomUUID } from "node:crypto";
import { isNinesError } from "@nines/core";
import { type DataConnection, LIFECYCLE_ERRORS, type LifecycleStore, type Row, visible } from "@nines/data";
import { ClickTravelError } from "../runtime/errors.js";
import { requiredString, seatCount } from "../runtime/fields.js";
import type { RequestContext, Route } from "../runtime/router.js";
import { OPERATOR } from "./catalog.js";
import { KeyedLock } from "./keyed-lock.js";

/** A trip as the API shows it: its row and the seats still free. */
interface TripView {
  id: string;
  origin: string;
  destination: string;
  departs: string;
  price: number;
  seats: number;
  seatsLeft: number;
}

/**
 * The inventory API (README "API"): search and read trips, reserve and
 * release seats idempotently by client request id, and the admin routes
 * of the deletion drill (delete trips, list the trash, restore), guarded
 * by `x-admin-token`.
 *
 * @example
 * const routes = inventoryRoutes(store, connection, process.env.ADMIN_TOKEN);
 */
export function inventoryRoutes(store: LifecycleStore, db: DataConnection, adminToken: string | undefined): Route[] {
  const lock = new KeyedLock();
  const seatsTaken = async (tripIds: string[]): Promise<Map<string, number>> => {
    if (tripIds.length === 0) return new Map();
    const rows = await db.kysely
      .selectFrom("reservations")
      .where(visible())
      .where("trip_id", "in", tripIds)
      .select(["trip_id", (eb) => eb.fn.sum<number>("seats").as("taken")])
      .groupBy("trip_id")
      .execute();
    return new Map(rows.map((r) => [String(r["trip_id"]), Number(r["taken"])]));
  };
  const view = (trip: Row, taken: Map<string, number>): TripView => {
    const seats = Number(trip["seats"]);
    return {
      id: String(trip["id"]),
      origin: String(trip["origin"]),
      destination: String(trip["destination"]),
      departs: String(trip["departs"]),
      price: Number(trip["price"]),
      seats,
      seatsLeft: Math.max(0, seats - (taken.get(String(trip["id"])) ?? 0)),
    };
  };
  const tripOrNotFound = async (id: string): Promise<Row> => {
    const trip = await store.get(OPERATOR, "trips", id);
    if (trip === undefined) throw new ClickTravelError("notFound", `no trip ${id}`, { hint: "search with GET /trips" });
    return trip;
  };
  const admin = (request: RequestContext): void => {
    if (adminToken === undefined || request.headers["x-admin-token"] !== adminToken) {
      throw new ClickTravelError("forbidden", "admin routes need the x-admin-token header", {
        hint: adminToken === undefined ? "start inventory with ADMIN_TOKEN set" : "send x-admin-token: $ADMIN_TOKEN",
      });
    }
  };

  return [
    {
      method: "GET",
      pattern: "/trips",
      handler: async (request) => {
        const where: Record<string, unknown> = {};
        const from = request.query.get("from");
        const to = request.query.get("to");
        if (from) where["origin"] = from;
        if (to) where["destination"] = to;
        const trips = await store.list(OPERATOR, "trips", { where, orderBy: "departs", limit: 100 });
        const taken = await seatsTaken(trips.map((t) => String(t["id"])));
        return { json: { trips: trips.map((t) => view(t, taken)) } };
      },
    },
    {
      method: "GET",
      pattern: "/trips/:id",
      handler: async (request) => {
        const trip = await tripOrNotFound(request.params["id"] as string);
        const departure = await formatDeparture(String(trip["departs"]));
        return { json: { ...view(trip, await seatsTaken([String(trip["id"])])), departure } };
      },
    },
    {
      method: "POST",
      pattern: "/trips/:id/reservations",
      handler: async (request) => {
        const tripId = request.params["id"] as string;
        const body = await request.body();
        const requestId = requiredString(body, "requestId");
        const user = requiredString(body, "user");
        const seats = seatCount(body["seats"]);
        // One reservation at a time per trip in this instance, so two requests cannot both take the last seat.
        return await lock.run(tripId, async () => {
          const trip = await tripOrNotFound(tripId);
          const existing = await reservationOf(store, requestId);
          if (existing !== undefined) return { json: sameReservation(existing, trip, user, seats) };
          const left = view(trip, await seatsTaken([tripId])).seatsLeft;
          if (left < seats) {
            throw new ClickTravelError("soldOut", `trip ${tripId} has ${left} seat(s) left, ${seats} asked`, {
              hint: "choose another trip or fewer seats",
            });
          }
          try {
            const row = await store.insert(OPERATOR, "reservations", {
              id: randomUUID(),
              trip_id: tripId,
              request_id: requestId,
              user_id: user,
              seats,
              created_at: Date.now(),
            });
            return { status: 201, json: reservationView(row, trip) };
          } catch (error) {
            // The same request id reserved by another instance a moment ago: answer with that reservation.
            if (!isNinesError(error, LIFECYCLE_ERRORS.uniqueTaken)) throw error;
            const raced = await reservationOf(store, requestId);
            if (raced === undefined) throw error;
            return { json: sameReservation(raced, trip, user, seats) };
          }
        });
      },
    },
    {
      method: "DELETE",
      pattern: "/reservations/:requestId",
      handler: async (request) => {
        const existing = await reservationOf(store, request.params["requestId"] as string);
        if (existing === undefined) return { json: { released: false } };
        await store.delete(OPERATOR, "reservations", existing["id"]);
        return { json: { released: true, requestId: String(existing["request_id"]) } };
      },
    },
    {
      method: "DELETE",
      pattern: "/admin/trips/:id",
      handler: async (request) => {
        admin(request);
        const id = request.params["id"] as string;
        await tripOrNotFound(id);
        const deleted = await store.delete(OPERATOR, "trips", id);
        return { json: { group: deleted.group, rows: deleted.rows } };
      },
    },
    {
      method: "DELETE",
      pattern: "/admin/trips",
      handler: async (request) => {
        admin(request);
        // The programmer's mistake of the spec's disaster: every trip, with its reservations.
        const trips = await store.list(OPERATOR, "trips", { limit: 10_000 });
        let rows = 0;
        for (const trip of trips) rows += (await store.delete(OPERATOR, "trips", trip["id"])).rows;
        return { json: { trips: trips.length, rows } };
      },
    },
    {
      method: "GET",
      pattern: "/admin/trash",
      handler: async (request) => {
        admin(request);
        return { json: { trash: await store.trash(OPERATOR) } };
      },
    },
    {
      method: "POST",
      pattern: "/admin/trips/:id/restore",
      handler: async (request) => {
        admin(request);
        const id = request.params["id"] as string;
        try {
          const restored = await store.restore(OPERATOR, "trips", id);
          return { json: restored };
        } catch (error) {
          if (isNinesError(error, LIFECYCLE_ERRORS.notFound) || isNinesError(error, LIFECYCLE_ERRORS.notDeleted)) {
            throw new ClickTravelError("notFound", `trip ${id} is not in the trash`, { cause: error });
          }
          throw error;
        }
      },
    },
    {
      method: "POST",
      pattern: "/admin/restore",
      handler: async (request) => {
        admin(request);
        // Every deleted trip in the trash, with what was deleted with it; reservations released on their own stay released.
        const groups = (await store.trash(OPERATOR, { order: "oldest" })).filter((g) => g.table === "trips");
        let rows = 0;
        for (const group of groups) rows += (await store.restore(OPERATOR, group.table, group.key)).rows;
        return { json: { trips: groups.length, rows } };
      },
    },
  ];
}

/**
 * Formats a departure for the detail page. The planted bug of the
 * query-of-death drill: the formatting runs in a callback, outside the
 * request's promise chain, so a corrupt date throws where nothing catches
 * it and the whole process dies (a real-world shape of the bug: an
 * unguarded callback).
 */
function formatDeparture(departs: string): Promise<string> {
  return new Promise((resolve) => setImmediate(() => resolve(new Date(departs).toISOString())));
}

async function reservationOf(store: LifecycleStore, requestId: string): Promise<Row | undefined> {
  const [row] = await store.list(OPERATOR, "reservations", { where: { request_id: requestId }, limit: 1 });
  return row;
}

/** A reservation as the API shows it, with what it costs and where it goes (web books with these). */
function reservationView(row: Row, trip: Row) {
  const seats = Number(row["seats"]);
  return {
    id: String(row["id"]),
    tripId: String(row["trip_id"]),
    requestId: String(row["request_id"]),
    user: String(row["user_id"]),
    seats,
    price: Number(trip["price"]) * seats,
    destination: String(trip["destination"]),
  };
}

/** A repeat of a reservation must ask for the same thing; a request id reused for something else is refused. */
function sameReservation(row: Row, trip: Row, user: string, seats: number) {
  const existing = reservationView(row, trip);
  if (existing.tripId !== String(trip["id"]) || existing.user !== user || existing.seats !== seats) {
    throw new ClickTravelError("conflict", `request id ${existing.requestId} was used for another reservation`, {
      hint: "use a new request id for a new booking; reuse it only to retry the same one",
    });
  }
  return { ...existing, repeated: true };
}
