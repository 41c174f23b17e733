import { type Fallback, fallback } from "@nines/resilience";
import type { Dependency, DependencyAnswer } from "../runtime/dependency.js";
import { requiredQuery, requiredString, seatCount } from "../runtime/fields.js";
import type { Reply, RequestContext, Route } from "../runtime/router.js";
import { renderPage, type TripSummary } from "./page.js";

/** The dependencies web calls: orders and inventory are required, analytics optional. */
export interface WebDependencies {
  orders: Dependency;
  inventory: Dependency;
  /** Undefined when no ANALYTICS_URL is set: the page is then always degraded. */
  analytics: Dependency | undefined;
}

type Popular = { destination: string; events: number }[];

/** The header that tells a client which optional dependencies an answer did without. */
export const DEGRADED_HEADER = "x-clicktravel-degraded";

/**
 * The web API and page (README "API"). Orders and inventory are required:
 * when they fail after their policies gave up, the answer is a 503. Analytics is optional:
 * its events are sent fire-and-forget, and the popular destinations fall
 * back to `null` (the page says they are unavailable and the answer
 * carries `x-clicktravel-degraded: analytics`) instead of failing.
 *
 * @example
 * const routes = webRoutes({ orders, inventory, analytics }, { instance: "web-0", zone: "us-central1-a" });
 */
export function webRoutes(dependencies: WebDependencies, where: { instance: string; zone: string }): Route[] {
  const { orders, inventory, analytics } = dependencies;
  const popularOrNull: Fallback<null> = fallback({ value: null });

  /** The popular destinations, or null when analytics is down, slow or not configured: never an error. */
  const popular = async (signal: AbortSignal): Promise<Popular | null> => {
    if (analytics === undefined) return null;
    return await popularOrNull.execute(async () => {
      const answer = await analytics.request<{ destinations: Popular }>("GET", "/popular?limit=5", { signal });
      return answer.status === 200 ? answer.json.destinations : null;
    }, signal);
  };
  /** Fire and forget: the answer never waits for analytics, and its failure is not the user's. */
  const track = (type: string, destination: string | undefined): void => {
    if (analytics === undefined) return;
    void analytics.request("POST", "/events", { body: { type, destination } }).catch(() => undefined);
  };
  const search = async (request: RequestContext) => {
    const query = new URLSearchParams();
    for (const name of ["from", "to"]) {
      const value = request.query.get(name);
      if (value) query.set(name, value);
    }
    const [trips, top] = await Promise.all([
      inventory.request<{ trips: TripSummary[] }>("GET", `/trips?${query}`, { signal: request.signal }),
      popular(request.signal),
    ]);
    track("search", request.query.get("to") ?? undefined);
    return { trips: trips.json.trips, popular: top };
  };
  const degraded = (top: Popular | null): Record<string, string> =>
    top === null ? { [DEGRADED_HEADER]: "analytics" } : {};

  return [
    {
      method: "GET",
      pattern: "/",
      handler: async (request) => {
        const { trips, popular: top } = await search(request);
        const html = renderPage({ to: request.query.get("to") ?? "", trips, popular: top, ...where });
        return { html, headers: degraded(top) };
      },
    },
    {
      method: "GET",
      pattern: "/api/trips",
      handler: async (request) => {
        const { trips, popular: top } = await search(request);
        return { json: { trips, popular: top, degraded: top === null ? ["analytics"] : [] }, headers: degraded(top) };
      },
    },
    {
      method: "GET",
      pattern: "/api/trips/:id",
      handler: async (request) => {
        const id = encodeURIComponent(request.params["id"] as string);
        const answer = await inventory.request<{ destination?: string }>("GET", `/trips/${id}`, {
          signal: request.signal,
        });
        if (answer.status === 200) track("view", answer.json.destination);
        return relay(answer);
      },
    },
    {
      method: "POST",
      pattern: "/api/bookings",
      handler: async (request) => {
        const body = await request.body();
        const booking = {
          requestId: requiredString(body, "requestId"),
          user: requiredString(body, "user"),
          tripId: requiredString(body, "tripId"),
          seats: seatCount(body["seats"]),
        };
        const trip = encodeURIComponent(booking.tripId);
        // Both steps are keyed by the client's request id: a retry (ours or the client's) repeats neither.
        const reserved = await inventory.request<{ price: number; destination: string }>(
          "POST",
          `/trips/${trip}/reservations`,
          { body: booking, signal: request.signal },
        );
        if (reserved.status >= 300) return relay(reserved);
        const booked = await orders.request("POST", "/bookings", {
          body: { ...booking, price: reserved.json.price },
          signal: request.signal,
        });
        if (booked.status === 201) track("booking", reserved.json.destination);
        return relay(booked);
      },
    },
    {
      method: "GET",
      pattern: "/api/bookings",
      handler: async (request) => {
        const user = encodeURIComponent(requiredQuery(request.query, "user"));
        return relay(await orders.request("GET", `/bookings?user=${user}`, { signal: request.signal }));
      },
    },
    {
      method: "DELETE",
      pattern: "/api/bookings/:id",
      handler: async (request) => {
        const user = requiredQuery(request.query, "user");
        const id = encodeURIComponent(request.params["id"] as string);
        const cancelled = await orders.request<{ booking: { requestId: string } }>("POST", `/bookings/${id}/cancel`, {
          body: { user },
          signal: request.signal,
        });
        if (cancelled.status !== 200) return relay(cancelled);
        // The seat goes back to the trip; cancelling again retries this step if it failed.
        const requestId = encodeURIComponent(cancelled.json.booking.requestId);
        const released = await inventory.request("DELETE", `/reservations/${requestId}`, { signal: request.signal });
        track("cancel", undefined);
        return { json: { ...(cancelled.json as object), seatReleased: released.status === 200 } };
      },
    },
  ];
}

/** A dependency's answer passed on as it is (a 404 or 409 of inventory or orders is the user's answer too). */
function relay(answer: DependencyAnswer): Reply {
  return { status: answer.status, json: answer.json };
}
