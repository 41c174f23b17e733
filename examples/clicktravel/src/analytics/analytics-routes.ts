import { ClickTravelError } from "../runtime/errors.js";
import type { Route } from "../runtime/router.js";
import { type AnalyticsEvent, EVENT_TYPES, type EventLog } from "./event-log.js";

/**
 * How many popular destinations the page shows, and an event's answer carries.
 *
 * @example
 * events.popular(POPULAR_LIMIT); // the 5 destinations with the most events
 */
export const POPULAR_LIMIT = 5;

/**
 * The analytics API: `POST /events` takes an event (fire and forget: web
 * never waits for it to matter) and answers with the popular
 * destinations, so that web keeps its page's view fresh without asking
 * again; `GET /popular?limit=` the page's view alone.
 *
 * @example
 * const routes = analyticsRoutes(new EventLog(10_000));
 */
export function analyticsRoutes(events: EventLog): Route[] {
  return [
    {
      method: "POST",
      pattern: "/events",
      handler: async (request) => {
        const body = await request.body();
        const type = body["type"];
        if (!EVENT_TYPES.includes(type as AnalyticsEvent["type"])) {
          throw new ClickTravelError("badRequest", `type must be one of ${EVENT_TYPES.join(", ")}`, {
            hint: 'send { "type": "search", "destination": "Rome" }',
          });
        }
        const destination = typeof body["destination"] === "string" ? body["destination"].slice(0, 100) : undefined;
        events.add({ type: type as AnalyticsEvent["type"], destination, at: Date.now() });
        return { status: 202, json: { accepted: true, destinations: events.popular(POPULAR_LIMIT) } };
      },
    },
    {
      method: "GET",
      pattern: "/popular",
      handler: (request) => {
        const limit = Math.min(20, Math.max(1, Number(request.query.get("limit") ?? POPULAR_LIMIT) || POPULAR_LIMIT));
        return { json: { destinations: events.popular(limit), events: events.total } };
      },
    },
  ];
}
