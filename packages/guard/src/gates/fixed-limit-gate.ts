import { requireKnownOptions, requireOption } from "@nines/core";
import { type AdmissionGate, type AdmissionRejection, type GateSnapshot, reject } from "../admission-gate.js";
import { CountedTicket, InflightCounter } from "./counted-ticket.js";

/** Options of {@link fixedLimitGate}. */
export interface FixedLimitGateOptions {
  /** Requests allowed to run at once (an integer >= 1). */
  limit: number;
  /** The `Retry-After` hint given to refused requests (default 1000 ms). */
  retryAfterMs?: number;
}

/**
 * A fixed concurrency limit with no queue: up to `limit` requests run, the
 * next one is refused at once with `shed`. The simplest gate that protects
 * an instance; the adaptive admission queue replaces it when latency should
 * set the limit.
 *
 * @example
 * const guard = createGuard({ gate: fixedLimitGate({ limit: 64 }) });
 */
export function fixedLimitGate(options: FixedLimitGateOptions): AdmissionGate {
  requireOption(typeof options === "object" && options !== null, "fixedLimitGate", "options", options, "an object");
  requireKnownOptions("fixedLimitGate", options, ["limit", "retryAfterMs"]);
  const { limit } = options;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  requireOption(Number.isInteger(limit) && limit >= 1, "fixedLimitGate", "limit", limit, "an integer >= 1");
  requireOption(
    Number.isFinite(retryAfterMs) && retryAfterMs >= 0,
    "fixedLimitGate",
    "retryAfterMs",
    retryAfterMs,
    ">= 0",
  );
  const refusal: AdmissionRejection = reject("shed", retryAfterMs);
  const counter = new InflightCounter();
  let closed = false;
  return {
    admit() {
      if (closed) return reject("draining", retryAfterMs);
      if (counter.inflight >= limit) return refusal;
      return new CountedTicket(counter);
    },
    snapshot: (): GateSnapshot => ({ inflight: counter.inflight, queueLength: 0, limit }),
    needsSignal: false,
    close() {
      closed = true;
    },
  };
}
