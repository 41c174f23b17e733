// Specs the simulator's tests run: ClickTravel as shipped, and small specs written inline.
import { fileURLToPath } from "node:url";
import { loadSpec, parseSpec, type Spec } from "@nines/planner";

/** The ClickTravel example spec (examples/clicktravel/nines.yaml). */
export const clicktravel: Spec = loadSpec(
  fileURLToPath(new URL("../../../../examples/clicktravel/nines.yaml", import.meta.url)),
);

/** A spec from YAML text; throws with the errors when it is invalid. */
export function specOf(yaml: string): Spec {
  const parsed = parseSpec(yaml, "test.nines.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors, null, 2));
  return parsed.spec;
}

/** The mean of a series' points from index `from` up to (not including) `to`. */
export function meanOf(values: readonly (number | null)[], from = 0, to = values.length): number {
  const slice = values.slice(from, to).filter((v): v is number => v !== null);
  return slice.reduce((a, b) => a + b, 0) / Math.max(1, slice.length);
}

/**
 * Two services in one region: `api` (the entry, with capacity to spare)
 * calls `backend`, which runs at 75% of its capacity, with the given call
 * policy written as YAML flow (`{ retries: 2, ... }`).
 */
export function twoTier(call: string, backend = "capacity: 200"): Spec {
  return specOf(`
name: TwoTier
platform:
  regions:
    r1: [r1-a, r1-b]
services:
  api:
    zones: [r1-a, r1-b]
    instances: 2
    capacity: 1000
    load: 600
    health: { check: /readyz, dependencies: false, autoheal: true }
    calls:
      backend: ${call}
  backend:
    zones: [r1-a, r1-b]
    instances: 2
    ${backend}
    load: 600
    health: { check: /readyz, dependencies: false, autoheal: true }
    startup: 5s
journeys:
  main: { entry: api, availability: 99.9% }
`);
}
