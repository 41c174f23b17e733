import type { DrainSpec, HealthPaths } from "../model.js";

/**
 * The drain timeline a service gets when its spec has no `drain`: the same
 * numbers as `@nines/guard`'s drain defaults (a test holds them equal), so
 * that the manifests `nines k8s` writes and the guard agree.
 *
 * @example
 * DRAIN_DEFAULTS.delayMs + DRAIN_DEFAULTS.graceMs + DRAIN_DEFAULTS.cleanupTimeoutMs; // 30000
 */
export const DRAIN_DEFAULTS: Readonly<DrainSpec> = Object.freeze({
  delayMs: 5000,
  graceMs: 20_000,
  cleanupTimeoutMs: 5000,
});

/**
 * The health endpoints an instance serves unless its spec says otherwise:
 * the paths `@nines/guard` serves and `nines k8s` probes.
 *
 * @example
 * HEALTH_PATHS.readiness; // "/readyz"
 */
export const HEALTH_PATHS: Readonly<HealthPaths> = Object.freeze({
  liveness: "/livez",
  readiness: "/readyz",
  startup: "/startupz",
});

/**
 * How often `replicate` ships committed changes when the spec does not say.
 *
 * @example
 * REPLICATE_INTERVAL_MS; // 1000
 */
export const REPLICATE_INTERVAL_MS = 1000;
