import type { Random } from "@nines/core";

/** A request a journey sends. */
export interface JourneyRequest {
  /** Path on the generator's base URL (`/api/trips`), or a full URL. */
  path: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

/** An answer, as a journey sees it. */
export interface JourneyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json<T = unknown>(): T;
}

/** What a journey gets to send its requests with. */
export interface JourneyContext {
  /**
   * Sends one request, recorded under `step`; resolves with the answer, or
   * null when there was none (timeout, refused, reset). Never throws for
   * those.
   */
  request(step: string, request: JourneyRequest): Promise<JourneyResponse | null>;
  /** Randomness for the journey's choices (seeded when the generator is). */
  random: Random;
  /** Which arrival this is (0, 1, 2...). */
  index: number;
}

/** A user journey: a function that sends a sequence of requests, weighted against the others. */
export interface Journey {
  name: string;
  /** Share of the arrivals, relative to the other journeys; default 1. */
  weight?: number;
  run(context: JourneyContext): Promise<void>;
}

/**
 * A journey made of fixed requests sent one after the other.
 *
 * @example
 * const browse = sequence("browse", [{ step: "home", path: "/" }, { step: "search", path: "/api/trips?to=Rome" }], 3);
 */
export function sequence(name: string, steps: readonly (JourneyRequest & { step: string })[], weight = 1): Journey {
  return {
    name,
    weight,
    async run(context) {
      for (const { step, ...request } of steps) await context.request(step, request);
    },
  };
}
