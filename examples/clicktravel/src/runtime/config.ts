import { isNinesError } from "@nines/core";
import { type CallDescription, callPolicy } from "@nines/resilience";
import { ClickTravelError } from "./errors.js";

/** The four services of ClickTravel. */
export type ServiceName = "web" | "orders" | "inventory" | "analytics";

/** The drain timeline (spec `drain`), in ms; unset values keep `@nines/guard`'s defaults. */
export interface DrainConfig {
  delayMs?: number;
  graceMs?: number;
  cleanupTimeoutMs?: number;
}

/**
 * What every service reads from its environment (README "Environment"):
 * where it listens, where it runs, its capacity and its call policies.
 * Each service reads its own stores' variables itself.
 *
 * @example
 * const config = readConfig("web", process.env);
 * config.capacity; // 50, from NINES_CAPACITY
 */
export interface ServiceConfig {
  service: ServiceName;
  /** `PORT` (0: any free port; the URL is printed on stdout). */
  port: number;
  /** `HOST`, default 127.0.0.1. */
  host: string;
  /** `ZONE`, `REGION`, `INSTANCE`: where this instance runs (labels and logs). */
  zone: string;
  region: string;
  instance: string;
  /** `NINES_CAPACITY`: requests per second this instance serves at most. */
  capacity: number;
  /** `NINES_CALLS`: one description per dependency (the spec's `calls`). */
  calls: CallDescription[];
  drain: DrainConfig;
  /** `NINES_STATE_DIR`: where the instance keeps state that must survive a crash (the quarantine journal). */
  stateDir: string | undefined;
  /** The raw environment, for the service's own variables. */
  env: NodeJS.ProcessEnv;
}

/** Requests per second an instance serves when `NINES_CAPACITY` is not set. */
export const DEFAULT_CAPACITY = 100;

/**
 * The environment variable that carries a dependency's address:
 * `<NAME>_URL`, upper case, `-` becomes `_`.
 *
 * @example
 * urlVariable("orders-db"); // "ORDERS_DB_URL"
 */
export function urlVariable(target: string): string {
  return `${target.toUpperCase().replace(/-/g, "_")}_URL`;
}

/**
 * Reads and checks the environment contract; a bad value is a
 * `CLICKTRAVEL_CONFIG_INVALID` error naming the variable and the fix.
 *
 * @example
 * const config = readConfig("orders", { PORT: "8080", NINES_CAPACITY: "30", DATABASE_URLS: "postgres://..." });
 */
export function readConfig(
  service: ServiceName,
  env: NodeJS.ProcessEnv,
  defaultCalls: CallDescription[] = [],
): ServiceConfig {
  const instance = env["INSTANCE"] || `${service}-${process.pid}`;
  const drain: DrainConfig = {};
  const delayMs = optionalNumber(env, "NINES_DRAIN_DELAY_MS", (v) => v >= 0, "a number of ms >= 0");
  const graceMs = optionalNumber(env, "NINES_DRAIN_GRACE_MS", (v) => v >= 0, "a number of ms >= 0");
  const cleanupTimeoutMs = optionalNumber(env, "NINES_DRAIN_CLEANUP_MS", (v) => v > 0, "a number of ms > 0");
  if (delayMs !== undefined) drain.delayMs = delayMs;
  if (graceMs !== undefined) drain.graceMs = graceMs;
  if (cleanupTimeoutMs !== undefined) drain.cleanupTimeoutMs = cleanupTimeoutMs;
  const port =
    optionalNumber(
      env,
      "PORT",
      (v) => Number.isInteger(v) && v >= 0 && v <= 65_535,
      "a port number (0: any free port)",
    ) ?? 0;
  const capacity =
    optionalNumber(env, "NINES_CAPACITY", (v) => v > 0, "a number of requests per second > 0") ?? DEFAULT_CAPACITY;
  return {
    service,
    port,
    host: env["HOST"] || "127.0.0.1",
    zone: env["ZONE"] || "local",
    region: env["REGION"] || "local",
    instance,
    capacity,
    calls: env["NINES_CALLS"] ? parseCalls(env["NINES_CALLS"]) : defaultCalls,
    drain,
    stateDir: env["NINES_STATE_DIR"] || undefined,
    env,
  };
}

/**
 * Parses `NINES_CALLS`: a JSON array of call descriptions, each checked
 * by building it once with `callPolicy`.
 *
 * @example
 * parseCalls('[{"target":"orders","retries":2,"backoff":"exponential","jitter":true,"breaker":true}]');
 */
export function parseCalls(text: string): CallDescription[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ClickTravelError("config", `NINES_CALLS is not JSON: ${(error as Error).message}`, {
      hint: 'set NINES_CALLS to a JSON array such as [{"target":"orders","retries":2,"backoff":"exponential"}]',
    });
  }
  if (!Array.isArray(parsed)) invalid("NINES_CALLS", text, "a JSON array of call descriptions");
  const calls = parsed as CallDescription[];
  for (const [index, call] of calls.entries()) {
    try {
      callPolicy(call);
    } catch (error) {
      if (!isNinesError(error)) throw error;
      throw new ClickTravelError("config", `NINES_CALLS[${index}]: ${error.message}`, {
        hint: error.hint ?? "see README: Environment",
        cause: error,
      });
    }
  }
  const targets = calls.map((c) => c.target);
  const twice = targets.find((t, i) => targets.indexOf(t) !== i);
  if (twice !== undefined) invalid("NINES_CALLS", text, `one description per target (${twice} appears twice)`);
  return calls;
}

/** The call description for `target`, or a plain call (no policy) when NINES_CALLS has none. */
export function callTo(config: ServiceConfig, target: string): CallDescription {
  return config.calls.find((c) => c.target === target) ?? { target };
}

/**
 * A variable the service cannot run without.
 *
 * @example
 * const urls = requireVariable(config, "DATABASE_URLS", "comma-separated PostgreSQL URLs, primary and standby");
 */
export function requireVariable(config: ServiceConfig, name: string, expected: string): string {
  const value = config.env[name];
  if (value === undefined || value === "") {
    throw new ClickTravelError("config", `${name} is not set`, {
      hint: `set ${name} to ${expected} (README: Environment)`,
    });
  }
  return value;
}

/**
 * An optional number of the service's own environment, checked: undefined
 * when unset, `CLICKTRAVEL_CONFIG_INVALID` naming the variable when bad.
 *
 * @example
 * const share = numberVariable(config, "ANALYTICS_EVENT_SHARE", (v) => v >= 0 && v <= 1, "a share in [0, 1]");
 */
export function numberVariable(
  config: ServiceConfig,
  name: string,
  valid: (value: number) => boolean,
  expected: string,
): number | undefined {
  return optionalNumber(config.env, name, valid, expected);
}

function optionalNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  valid: (value: number) => boolean,
  expected: string,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) invalid(name, raw, expected);
  return value;
}

function invalid(name: string, value: unknown, expected: string): never {
  throw new ClickTravelError("config", `${name} must be ${expected}, got ${JSON.stringify(value)}`, {
    hint: `fix ${name} in the environment (README: Environment)`,
  });
}
