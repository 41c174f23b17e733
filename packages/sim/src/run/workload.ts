import { type Random, requireOption } from "@nines/core";
import type { Spec } from "@nines/planner";

/**
 * One kind of request a workload sends: its share, and the services the entry calls for it, in order.
 *
 * @example
 * const book: WorkloadRequest = { name: "book", weight: 5, calls: ["inventory", "orders"] };
 */
export interface WorkloadRequest {
  name: string;
  /** Relative share of the requests (any positive scale). */
  weight: number;
  /** Services the entry calls, one after the other; a failed one fails the request (503) and stops the rest. */
  calls: string[];
}

/**
 * The requests users send, when they are not the spec's average: what a
 * `nines drill` workload module says (its journeys' weights and the
 * services each step needs, docs/drill.md "Workloads"). Every journey's
 * entry gets `rate` requests (shared among the journeys entering
 * there), each of a kind drawn by weight, for which the entry makes that
 * kind's calls in order instead of the spec's calls with their
 * probabilities; the entry's optional calls and every other service's
 * calls are made as without a workload.
 *
 * @example
 * const workload: SimWorkload = { rate: 65, requests: [
 *   { name: "search", weight: 35, calls: ["inventory"] },
 *   { name: "book", weight: 5, calls: ["inventory", "orders"] },
 * ] };
 */
export interface SimWorkload {
  /** User requests per second at each entry. */
  rate: number;
  requests: WorkloadRequest[];
}

/**
 * Checks a workload against the spec (a kind's calls must be required
 * calls of every entry) and returns a draw of a kind's index by weight.
 *
 * @example
 * const pick = workloadPicker(spec, workload); // pick(random) is 0 for 35 in 40 of the requests above
 */
export function workloadPicker(spec: Spec, workload: SimWorkload): (random: Random) => number {
  const { rate, requests } = workload;
  requireOption(rate > 0, "simulate", "workload.rate", rate, "> 0");
  requireOption(Array.isArray(requests) && requests.length > 0, "simulate", "workload.requests", requests, "a list");
  for (const journey of spec.journeys) {
    const entry = spec.services.find((s) => s.name === journey.entry);
    const required = new Set(
      entry?.calls.filter((c) => c.targetKind === "service" && !c.optional).map((c) => c.target),
    );
    for (const request of requests) {
      requireOption(request.weight > 0, "simulate", `workload.requests.${request.name}.weight`, request.weight, "> 0");
      for (const call of request.calls) {
        requireOption(
          required.has(call),
          "simulate",
          `workload.requests.${request.name}.calls`,
          call,
          `a service ${journey.entry} calls (required): ${[...required].join(", ")}`,
        );
      }
    }
  }
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  const bounds = requests.map((_, i) => requests.slice(0, i + 1).reduce((sum, r) => sum + r.weight, 0) / total);
  return (random) => {
    const draw = random.next();
    const index = bounds.findIndex((bound) => draw < bound);
    return index < 0 ? bounds.length - 1 : index;
  };
}
