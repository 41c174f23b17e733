import { NinesError, type NinesErrorOptions } from "@nines/core";

/**
 * Every code ClickTravel's services answer or throw, the one list (the
 * README's API section lists them with their HTTP status).
 *
 * @example
 * if (isNinesError(error, CLICKTRAVEL_ERRORS.soldOut)) showSoldOut();
 */
export const CLICKTRAVEL_ERRORS = {
  /** The environment does not follow the contract (README "Environment"); the process exits 2. */
  config: "CLICKTRAVEL_CONFIG_INVALID",
  /** 400: the request body or a parameter is invalid. */
  badRequest: "CLICKTRAVEL_BAD_REQUEST",
  /** 404: no such route, trip or booking. */
  notFound: "CLICKTRAVEL_NOT_FOUND",
  /** 409: a request id was reused for a different booking. */
  conflict: "CLICKTRAVEL_REQUEST_ID_REUSED",
  /** 409: the trip has no seats left. */
  soldOut: "CLICKTRAVEL_SOLD_OUT",
  /** 403: an admin route without the right `x-admin-token`. */
  forbidden: "CLICKTRAVEL_FORBIDDEN",
  /** 503: a required dependency (a service or the database) failed; retry later. */
  unavailable: "CLICKTRAVEL_UNAVAILABLE",
} as const;

/**
 * One of {@link CLICKTRAVEL_ERRORS}' codes.
 *
 * @example
 * const code: ClickTravelErrorCode = CLICKTRAVEL_ERRORS.notFound;
 */
export type ClickTravelErrorCode = (typeof CLICKTRAVEL_ERRORS)[keyof typeof CLICKTRAVEL_ERRORS];

/** The HTTP status each code is answered with. */
const STATUS: Record<ClickTravelErrorCode, number> = {
  CLICKTRAVEL_CONFIG_INVALID: 500,
  CLICKTRAVEL_BAD_REQUEST: 400,
  CLICKTRAVEL_NOT_FOUND: 404,
  CLICKTRAVEL_REQUEST_ID_REUSED: 409,
  CLICKTRAVEL_SOLD_OUT: 409,
  CLICKTRAVEL_FORBIDDEN: 403,
  CLICKTRAVEL_UNAVAILABLE: 503,
};

/**
 * The error family of the ClickTravel services: a handler throws one and
 * the service answers it as JSON with the code's HTTP status.
 *
 * @example
 * throw new ClickTravelError("notFound", `no trip ${id}`, { hint: "search with GET /api/trips" });
 */
export class ClickTravelError extends NinesError {
  constructor(kind: keyof typeof CLICKTRAVEL_ERRORS, message: string, options?: NinesErrorOptions) {
    super(CLICKTRAVEL_ERRORS[kind], message, options);
  }

  override get name(): string {
    return "ClickTravelError";
  }

  /** The HTTP status this error is answered with. */
  get status(): number {
    return STATUS[this.code as ClickTravelErrorCode];
  }
}
