import type { AdmissionGate } from "../admission-gate.js";
import { CountedTicket, InflightCounter } from "./counted-ticket.js";

/**
 * Admits everything; counts what runs (so `/metrics` still shows in-flight).
 * The guard's default gate.
 *
 * @example
 * const guard = createGuard({ gate: passThroughGate() });
 */
export function passThroughGate(): AdmissionGate {
  const counter = new InflightCounter();
  return {
    admit: () => new CountedTicket(counter),
    snapshot: () => ({ inflight: counter.inflight, queueLength: 0, limit: Number.POSITIVE_INFINITY }),
    needsSignal: false,
  };
}
