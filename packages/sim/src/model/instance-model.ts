import { type AdmissionOptions, Gradient2Limit } from "@nines/guard";
import type { Service } from "@nines/planner";

/** The admission options every instance's guard is built with, or false for none. */
export type SimAdmission = Omit<AdmissionOptions, "clock" | "defer"> | false;

/** How an instance turns the spec's capacity into work, and how its guard is tuned. */
export interface InstanceModel {
  /** Worker slots. */
  workers: number;
  /** Mean service time of one request, in ms: `workers / meanMs` is the spec's capacity. */
  meanMs: number;
  /** A fresh admission configuration for each process (an adaptive limit learns per process); false for none. */
  admission: () => SimAdmission;
}

/**
 * The instance model of nines' own service host (ClickTravel's
 * `capacityPlan` and `admissionFor`), so that the simulation runs what
 * the shipped services run: `round(capacity x serviceTimeMs / 1000)`
 * worker slots (at least one) of `serviceTimeMs` each (exactly the
 * capacity), and a guard with a Gradient2 limit between the slots and
 * 4 times them for a service that calls other services (it waits on them
 * outside its slot), 2 times otherwise, CoDel waits of 3 service times
 * (20 to 150 ms; plus one service time before a queue stands), and 1000
 * requests of queue. `workers` fixes the slots instead; `admission` (an
 * object) replaces the tuned guard, false removes it.
 *
 * @example
 * instanceModel(web, { serviceTimeMs: 50 }); // { workers: 25, meanMs: 50, admission: [Function] }
 */
export function instanceModel(
  service: Service,
  options: { serviceTimeMs: number; workers?: number | undefined; admission?: SimAdmission | "tuned" | undefined },
): InstanceModel {
  const workers = options.workers ?? Math.max(1, Math.round((service.capacity * options.serviceTimeMs) / 1000));
  const meanMs = (workers * 1000) / service.capacity;
  const given = options.admission ?? "tuned";
  if (given !== "tuned") return { workers, meanMs, admission: () => given };
  const perSlot = service.calls.some((call) => call.targetKind === "service") ? 4 : 2;
  const targetMs = Math.min(150, Math.max(20, 3 * meanMs));
  return {
    workers,
    meanMs,
    admission: () => ({
      limit: new Gradient2Limit({ initialLimit: workers, minLimit: workers, maxLimit: Math.ceil(workers * perSlot) }),
      maxQueue: 1000,
      codel: { targetMs, intervalMs: Math.max(100, targetMs + meanMs) },
    }),
  };
}
