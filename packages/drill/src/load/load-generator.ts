import {
  type Clock,
  type OnProgress,
  type Random,
  requireKnownOptions,
  requireOption,
  systemClock,
  systemRandom,
} from "@nines/core";
import { Agent, request as send } from "undici";
import { classifyUpstreamError } from "../balancer/classify-upstream-error.js";
import { type ArrivalProcess, nextArrival } from "./arrivals.js";
import type { Journey, JourneyContext, JourneyRequest, JourneyResponse } from "./journey.js";
import { RequestLog } from "./request-log.js";

/** Options of {@link LoadGenerator}. */
export interface LoadGeneratorOptions {
  /** Where paths are sent (the front door): `http://127.0.0.1:8080`. */
  baseUrl: string;
  journeys: readonly Journey[];
  /** Journeys started per second. */
  rate: number;
  /** How long to keep starting journeys. */
  durationMs: number;
  /** Default `poisson`. */
  arrivals?: ArrivalProcess;
  /** The client's limit for one request (connect, headers and body); default 5000 ms. */
  timeoutMs?: number;
  /** Journeys in flight at most; an arrival beyond it is recorded as dropped (step `dropped`). Default 10000. */
  maxInflight?: number;
  /** Records go here; default a new log. */
  log?: RequestLog;
  /** Called about once a second with `{ phase: "load", done: elapsed ms, total: durationMs, unit: "ms" }`. */
  onProgress?: OnProgress;
  clock?: Clock;
  random?: Random;
}

/** What a run did. */
export interface LoadResult {
  log: RequestLog;
  startedAt: number;
  endedAt: number;
  /** Journeys started. */
  journeys: number;
  /** Arrivals dropped because `maxInflight` journeys were running. */
  dropped: number;
}

const TICK_MS = 5;

/**
 * An open-loop load generator: journeys arrive at `rate` per second
 * (Poisson or evenly spaced) whether or not earlier ones have been
 * answered, as real users do, so that a slow or hung system shows as
 * failures and latency rather than as less load (no coordinated omission:
 * arrivals the event loop was late for are started at once). Each journey
 * is picked by weight and runs its requests in sequence; every request is
 * recorded (start, end, status, error kind) in a {@link RequestLog}.
 *
 * @example
 * const generator = new LoadGenerator({ baseUrl: frontDoor.url, rate: 50, durationMs: 60_000,
 *   journeys: [sequence("search", [{ step: "search", path: "/api/trips" }], 4), bookJourney] });
 * const result = await generator.run();
 * perSecond(result.log); // success ratio and p99 per second
 */
export class LoadGenerator {
  readonly log: RequestLog;
  readonly #options: LoadGeneratorOptions;
  readonly #clock: Clock;
  readonly #random: Random;
  #agent: Agent | undefined;
  #rate: number;

  constructor(options: LoadGeneratorOptions) {
    requireKnownOptions("LoadGenerator", options, [
      "baseUrl",
      "journeys",
      "rate",
      "durationMs",
      "arrivals",
      "timeoutMs",
      "maxInflight",
      "log",
      "onProgress",
      "clock",
      "random",
    ]);
    requireOption(options.rate > 0, "LoadGenerator", "rate", options.rate, "> 0 (journeys per second)");
    requireOption(options.durationMs >= 0, "LoadGenerator", "durationMs", options.durationMs, ">= 0");
    requireOption(options.journeys.length > 0, "LoadGenerator", "journeys", "[]", "at least one journey");
    for (const j of options.journeys) {
      requireOption((j.weight ?? 1) >= 0, "LoadGenerator", `journeys.${j.name}.weight`, j.weight, ">= 0");
    }
    this.#options = options;
    this.#rate = options.rate;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.log = options.log ?? new RequestLog();
  }

  /** Changes the arrival rate from the next arrival on (a load step in a drill). */
  setRate(rate: number): void {
    requireOption(rate > 0, "LoadGenerator", "rate", rate, "> 0 (journeys per second)");
    this.#rate = rate;
  }

  /** Runs for `durationMs`, then waits for the journeys in flight; `signal` stops the arrivals early. */
  async run(signal?: AbortSignal): Promise<LoadResult> {
    const clock = this.#clock;
    const process = this.#options.arrivals ?? "poisson";
    const maxInflight = this.#options.maxInflight ?? 10_000;
    const agent = new Agent({ connections: 512, keepAliveTimeout: 2000, keepAliveMaxTimeout: 2000 });
    this.#agent = agent;
    const startedAt = clock.now();
    const endAt = startedAt + this.#options.durationMs;
    const running = new Set<Promise<void>>();
    let next = nextArrival(startedAt, this.#rate, process, this.#random);
    let journeys = 0;
    let dropped = 0;
    let reportedAt = startedAt;
    while (!signal?.aborted) {
      const now = clock.now();
      while (next <= now && next < endAt) {
        if (running.size >= maxInflight) {
          dropped++;
          this.log.record({ journey: "-", step: "dropped", startAt: next, endAt: next, status: 0, error: "other" });
        } else {
          const done = this.#start(journeys++);
          running.add(done);
          void done.finally(() => running.delete(done));
        }
        next = nextArrival(next, this.#rate, process, this.#random);
      }
      if (now - reportedAt >= 1000) {
        reportedAt = now;
        this.#options.onProgress?.({
          phase: "load",
          done: now - startedAt,
          total: this.#options.durationMs,
          unit: "ms",
        });
      }
      if (next >= endAt && now >= endAt) break;
      await clock.sleep(Math.max(0, Math.min(TICK_MS, next - now)));
    }
    await Promise.all(running);
    await agent.close().catch(() => {});
    return { log: this.log, startedAt, endedAt: clock.now(), journeys, dropped };
  }

  async #start(index: number): Promise<void> {
    const journey = this.#pick();
    const context: JourneyContext = {
      random: this.#random,
      index,
      request: (step, request) => this.#send(journey.name, step, request),
    };
    try {
      await journey.run(context);
    } catch {
      // A journey's own bug ends that journey; its requests so far are recorded.
    }
  }

  #pick(): Journey {
    const journeys = this.#options.journeys;
    const total = journeys.reduce((sum, j) => sum + (j.weight ?? 1), 0);
    let x = this.#random.next() * total;
    for (const j of journeys) {
      x -= j.weight ?? 1;
      if (x < 0) return j;
    }
    return journeys[journeys.length - 1] as Journey;
  }

  async #send(journey: string, step: string, request: JourneyRequest): Promise<JourneyResponse | null> {
    const timeoutMs = this.#options.timeoutMs ?? 5000;
    const url = /^https?:\/\//.test(request.path) ? request.path : `${this.#options.baseUrl}${request.path}`;
    const body =
      request.body === undefined
        ? null
        : typeof request.body === "string"
          ? request.body
          : JSON.stringify(request.body);
    const headers = {
      ...(body !== null && typeof request.body !== "string" && { "content-type": "application/json" }),
      ...request.headers,
    };
    const startAt = this.#clock.now();
    try {
      const response = await send(url, {
        method: (request.method ?? "GET") as "GET",
        headers,
        body,
        dispatcher: this.#agent as Agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.body.text();
      if (response.statusCode >= 500 && process.env["DIAG_5XX"])
        (await import("node:fs")).appendFileSync(
          process.env["DIAG_5XX"],
          `${startAt} ${step} ${response.statusCode} ${response.headers["x-nines-rejected"] ?? ""} ${text.slice(0, 300)}\n`,
        );
      this.log.record({ journey, step, startAt, endAt: this.#clock.now(), status: response.statusCode, error: null });
      return {
        status: response.statusCode,
        headers: response.headers,
        text,
        json: <T>() => JSON.parse(text) as T,
      };
    } catch (error) {
      this.log.record({
        journey,
        step,
        startAt,
        endAt: this.#clock.now(),
        status: 0,
        error: classifyUpstreamError(error),
      });
      return null;
    }
  }
}
