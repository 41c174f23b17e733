import { requireOption } from "@nines/core";

/**
 * What a {@link FaultProxy} does to the traffic through it.
 * - `pass`: forwards (an instance that is down is refused, as on a healthy network;
 *   so also with `latency` and `bandwidth`).
 * - `blackhole`: a partition: connections are accepted and nothing flows either way
 *   (existing ones stall, new ones hang) until the mode changes; then traffic resumes.
 * - `latency`: every answer reaches the client `delayMs` later.
 * - `bandwidth`: each direction is limited to `bytesPerSecond`.
 * - `error`: a request (a fraction `ratio`, default all) is answered by the proxy with
 *   HTTP `status` (500 or 503) and the connection closed; the instance never sees it.
 * - `reset`: every connection is reset (TCP RST), existing and new.
 */
export type FaultMode =
  | { kind: "pass" }
  | { kind: "blackhole" }
  | { kind: "latency"; delayMs: number }
  | { kind: "bandwidth"; bytesPerSecond: number }
  | { kind: "error"; status: 500 | 503; ratio?: number }
  | { kind: "reset" };

/**
 * Checks a mode, naming the wrong field.
 *
 * @example
 * checkFaultMode({ kind: "latency", delayMs: 200 }); // ok
 * checkFaultMode({ kind: "error", status: 418 });   // throws NINES_OPTION_INVALID
 */
export function checkFaultMode(mode: FaultMode): FaultMode {
  const kinds = ["pass", "blackhole", "latency", "bandwidth", "error", "reset"];
  requireOption(kinds.includes(mode.kind), "FaultProxy", "mode.kind", mode.kind, `one of ${kinds.join(", ")}`);
  if (mode.kind === "latency") {
    requireOption(mode.delayMs >= 0, "FaultProxy", "mode.delayMs", mode.delayMs, ">= 0");
  } else if (mode.kind === "bandwidth") {
    requireOption(mode.bytesPerSecond > 0, "FaultProxy", "mode.bytesPerSecond", mode.bytesPerSecond, "> 0");
  } else if (mode.kind === "error") {
    requireOption(mode.status === 500 || mode.status === 503, "FaultProxy", "mode.status", mode.status, "500 or 503");
    const ratio = mode.ratio ?? 1;
    requireOption(ratio > 0 && ratio <= 1, "FaultProxy", "mode.ratio", ratio, "in (0, 1]");
  }
  return mode;
}
