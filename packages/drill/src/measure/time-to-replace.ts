import type { ExitReason } from "../process/service-run.js";

/** The supervisor events that matter here (its `exit` and `ready` events, tagged with their type). */
export type LifeEvent =
  | { type: "exit"; instance: string; at: number; reason: ExitReason }
  | { type: "ready"; instance: string; at: number };

/** One loss of an instance and when it served again. */
export interface Replacement {
  instance: string;
  reason: ExitReason;
  lostAt: number;
  /** When the replacement was ready, null when it never was (within the events). */
  readyAt: number | null;
  replaceMs: number | null;
}

/**
 * Time to replace: for every instance lost (crashed, killed, failed
 * liveness, zone lost), the time until the same instance was ready again.
 * Clean stops are not losses.
 *
 * @example
 * const events: LifeEvent[] = [];
 * supervisor.on("exit", (e) => events.push({ type: "exit", ...e }));
 * supervisor.on("ready", (e) => events.push({ type: "ready", ...e }));
 * timeToReplace(events); // [{ instance: "web-us-central1-a-0", replaceMs: 3240, ... }]
 */
export function timeToReplace(events: readonly LifeEvent[]): Replacement[] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const open = new Map<string, Replacement>();
  const out: Replacement[] = [];
  for (const event of sorted) {
    if (event.type === "exit") {
      if (event.reason === "stopped" || open.has(event.instance)) continue;
      const loss: Replacement = {
        instance: event.instance,
        reason: event.reason,
        lostAt: event.at,
        readyAt: null,
        replaceMs: null,
      };
      open.set(event.instance, loss);
      out.push(loss);
    } else {
      const loss = open.get(event.instance);
      if (!loss) continue;
      loss.readyAt = event.at;
      loss.replaceMs = event.at - loss.lostAt;
      open.delete(event.instance);
    }
  }
  return out.map(({ instance, lostAt, readyAt, replaceMs, reason }) => ({
    instance,
    lostAt,
    readyAt,
    replaceMs,
    reason,
  }));
}
