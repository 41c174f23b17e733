import { type Clock, isNinesError, type Random, systemClock, systemRandom } from "@nines/core";
import { type Fallback, fallback, RESILIENCE_ERRORS } from "@nines/resilience";
import type { Dependency, DependencyAnswer } from "../runtime/dependency.js";
import { ClickTravelError } from "../runtime/errors.js";
import { requiredQuery, requiredString, seatCount } from "../runtime/fields.js";
import type { Reply, RequestContext, Route } from "../runtime/router.js";
import { renderPage, type TripSummary } from "./page.js";
import { type Popular, PopularCache } from "./popular-cache.js";

/** The dependencies web calls: orders and inventory are required, analytics optional. */
export interface WebDependencies {
  orders: Dependency;
  inventory: Dependency;
  /** Undefined when no ANALYTICS_URL is set: the page is then always degraded. */
  analytics: Dependency | undefined;
}

/**
 * How much web asks of analytics (README "Analytics traffic"): the share
 * of its events it reports, and how long it reuses the popular
 * destinations. Defaults in {@link ANALYTICS_DEFAULTS}.
 *
 * @example
 * const options: WebOptions = { instance: "web-0", zone: "us-central1-a", eventShare: 1, popularCacheMs: 0 };
 */
export interface WebOptions {
  instance: string;
  zone: string;
  /** Share of the events (search, view, booking, cancel) sent to analytics, in [0, 1]. */
  eventShare?: number;
  /** How long the popular destinations are reused before analytics is asked again, ms. */
  popularCacheMs?: number;
  clock?: Clock;
  random?: Random;
}

/**
 * What web sends analytics by default, so that analytics gets the spec's
 * load (100 requests per second, beside web's 2000: searches 700, bookings
 * 100 and cancellations 100 among them): 11% of those events (99 per
 * second), whose answers carry the popular destinations, which web then
 * reuses for up to 10 s (README "Analytics traffic"). Web asks analytics
 * for them alone only when it has heard nothing for that long.
 *
 * @example
 * ANALYTICS_DEFAULTS.eventShare; // 0.11
 */
export const ANALYTICS_DEFAULTS = Object.freeze({ eventShare: 0.11, popularCacheMs: 10_000 });

/** The header that tells a client which optional dependencies an answer did without. */
export const DEGRADED_HEADER = "x-clicktravel-degraded";

/**
 * The web API and page (README "API"). Orders and inventory are required:
 * when they fail after their policies gave up, the answer is a 503. Analytics is optional:
 * a sampled share of the events is sent fire-and-forget, and the popular
 * destinations (cached for a few seconds) fall back to `null` (the page
 * says they are unavailable and the answer carries
 * `x-clicktravel-degraded: analytics`) instead of failing.
 *
 * @example
 * const routes = webRoutes({ orders, inventory, analytics }, { instance: "web-0", zone: "us-central1-a" });
 */
export function webRoutes(dependencies: WebDependencies, options: WebOptions): Route[] {
  const { orders, inventory, analytics } = dependencies;
  const where = { instance: options.instance, zone: options.zone };
  const eventShare = options.eventShare ?? ANALYTICS_DEFAULTS.eventShare;
  const random = options.random ?? systemRandom;
  const cache = new PopularCache({
    cacheMs: options.popularCacheMs ?? ANALYTICS_DEFAULTS.popularCacheMs,
    clock: options.clock ?? systemClock,
    isLate,
    fetch: async () => {
      const answer = await (analytics as Dependency).request<{ destinations: Popular }>("GET", "/popular?limit=5");
      if (answer.status !== 200 || !Array.isArray(answer.json.destinations)) {
        throw new ClickTravelError("unavailable", `analytics answered ${answer.status} to GET /popular`, {
          hint: "the page is degraded until analytics answers",
        });
      }
      return answer.json.destinations;
    },
  });
  // Analytics is optional: its failure (down, refused, too late) degrades the page to `popular: null`.
  const popularOrNull: Fallback<Popular | null> = fallback({ value: null });

  /** The popular destinations, or null when analytics is down, slow or not configured: never an error. */
  const popular = async (): Promise<Popular | null> =>
    analytics === undefined ? null : await popularOrNull.execute(() => cache.get());
  /**
   * Fire and forget, for a sampled share of the events: the answer never waits for analytics, and
   * its failure is not the user's; what analytics answers (or not) keeps the page's view current.
   */
  const track = (type: string, destination: string | undefined): void => {
    if (analytics === undefined || random.next() >= eventShare) return;
    void analytics.request<{ destinations?: Popular }>("POST", "/events", { body: { type, destination } }).then(
      (answer) => {
        if (answer.status < 300 && Array.isArray(answer.json.destinations)) cache.heard(answer.json.destinations);
      },
      (error: unknown) => cache.failed(error),
    );
  };
  const search = async (request: RequestContext) => {
    const query = new URLSearchParams();
    for (const name of ["from", "to"]) {
      const value = request.query.get(name);
      if (value) query.set(name, value);
    }
    const [trips, top] = await Promise.all([
      inventory.request<{ trips: TripSummary[] }>("GET", `/trips?${query}`, { signal: request.signal }),
      popular(),
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
      pattern: "/api/popular",
      handler: async () => {
        const top = await popular();
        return { json: { popular: top, degraded: top === null ? ["analytics"] : [] }, headers: degraded(top) };
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
          { body: booking, signal: request.signal, idempotencyKey: booking.requestId },
        );
        if (reserved.status >= 300) return relay(reserved);
        const booked = await orders.request("POST", "/bookings", {
          body: { ...booking, price: reserved.json.price },
          signal: request.signal,
          idempotencyKey: booking.requestId,
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
          idempotencyKey: `cancel-${id}`,
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

/** A call that failed only because its deadline passed (analytics answered too late, in its queue). */
function isLate(error: unknown): boolean {
  return isNinesError(error) && error.details["cause"] === RESILIENCE_ERRORS.timeout;
}

/** A dependency's answer passed on as it is (a 404 or 409 of inventory or orders is the user's answer too). */
function relay(answer: DependencyAnswer): Reply {
  return { status: answer.status, json: answer.json };
}
