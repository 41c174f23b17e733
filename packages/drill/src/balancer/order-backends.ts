import type { Random } from "@nines/core";

/** What the ordering needs to know of a backend. */
export interface Candidate {
  id: string;
  zone: string;
  /** Requests in flight to it now. */
  inflight: number;
  /** Healthy by the active checks and not ejected as an outlier. */
  eligible: boolean;
}

/**
 * The order in which a balancer tries backends for one request: eligible
 * backends in the caller's zone first, then eligible backends of the other
 * zones (spill-over); within each group the least loaded first, ties broken
 * at random so that equal backends share the load. With no caller zone
 * every eligible backend is one group. Ineligible backends are left out.
 *
 * @example
 * orderBackends(backends, "us-central1-a", random).map((b) => b.id); // ["web-a-1", "web-a-0", "web-b-0"]
 */
export function orderBackends<T extends Candidate>(backends: readonly T[], zone: string | null, random: Random): T[] {
  const keyed = backends
    .filter((b) => b.eligible)
    .map((b) => ({ b, local: zone === null || b.zone === zone ? 0 : 1, tie: random.next() }));
  keyed.sort((x, y) => x.local - y.local || x.b.inflight - y.b.inflight || x.tie - y.tie);
  return keyed.map((k) => k.b);
}
