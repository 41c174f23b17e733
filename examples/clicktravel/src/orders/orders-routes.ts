import { ClickTravelError } from "../runtime/errors.js";
import { requiredQuery, requiredString, seatCount } from "../runtime/fields.js";
import type { Route } from "../runtime/router.js";
import type { Bookings } from "./bookings.js";

/**
 * The orders API (README "API"): book idempotently by client request id,
 * list a user's bookings, read one, cancel one.
 *
 * @example
 * const routes = ordersRoutes(bookings);
 */
export function ordersRoutes(bookings: Bookings): Route[] {
  const notFound = (id: string) =>
    new ClickTravelError("notFound", `no booking ${id} for this user`, {
      hint: "list them with GET /bookings?user=...",
    });
  return [
    {
      method: "POST",
      pattern: "/bookings",
      handler: async (request) => {
        const body = await request.body();
        const price = Number(body["price"]);
        if (!Number.isInteger(price) || price < 0) {
          throw new ClickTravelError(
            "badRequest",
            `price must be an integer >= 0, got ${JSON.stringify(body["price"])}`,
          );
        }
        const { booking, created } = await bookings.book(
          {
            requestId: requiredString(body, "requestId"),
            user: requiredString(body, "user"),
            tripId: requiredString(body, "tripId"),
            seats: seatCount(body["seats"]),
            price,
          },
          request.signal,
        );
        return { status: created ? 201 : 200, json: { booking, created } };
      },
    },
    {
      method: "GET",
      pattern: "/bookings",
      handler: async (request) => ({
        json: { bookings: await bookings.list(requiredQuery(request.query, "user"), request.signal) },
      }),
    },
    {
      method: "GET",
      pattern: "/bookings/:id",
      handler: async (request) => {
        const id = request.params["id"] as string;
        const booking = await bookings.get(id, requiredQuery(request.query, "user"), request.signal);
        if (booking === undefined) throw notFound(id);
        return { json: { booking } };
      },
    },
    {
      method: "POST",
      pattern: "/bookings/:id/cancel",
      handler: async (request) => {
        const id = request.params["id"] as string;
        const booking = await bookings.cancel(id, requiredString(await request.body(), "user"), request.signal);
        if (booking === undefined) throw notFound(id);
        return { json: { booking } };
      },
    },
  ];
}
