import { ClickTravelError } from "./errors.js";

/**
 * A non-empty string field of a JSON body (at most 200 characters), or a 400 naming it.
 *
 * @example
 * const requestId = requiredString(await request.body(), "requestId");
 */
export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value.length === 0 || value.length > 200) {
    throw new ClickTravelError("badRequest", `${field} must be a non-empty string (at most 200 characters)`, {
      hint: `send { "${field}": "..." } in the JSON body`,
    });
  }
  return value;
}

/**
 * The number of seats asked (default 1), an integer from 1 to 10, or a 400.
 *
 * @example
 * const seats = seatCount(body["seats"]);
 */
export function seatCount(value: unknown): number {
  const seats = value === undefined ? 1 : Number(value);
  if (!Number.isInteger(seats) || seats < 1 || seats > 10) {
    throw new ClickTravelError("badRequest", `seats must be an integer from 1 to 10, got ${JSON.stringify(value)}`, {
      hint: 'send { "seats": 2 }, or leave it out for one seat',
    });
  }
  return seats;
}

/**
 * A non-empty query parameter, or a 400 naming it.
 *
 * @example
 * const user = requiredQuery(request.query, "user");
 */
export function requiredQuery(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value.length === 0 || value.length > 200) {
    throw new ClickTravelError("badRequest", `the query parameter ${name} is required`, {
      hint: `add ?${name}=... to the URL`,
    });
  }
  return value;
}
