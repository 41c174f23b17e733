/**
 * One event web sends: what happened, and about which destination.
 *
 * @example
 * const event: AnalyticsEvent = { type: "search", destination: "Rome", at: Date.now() };
 */
export interface AnalyticsEvent {
  type: "search" | "view" | "booking" | "cancel";
  destination: string | undefined;
  at: number;
}

/** The kinds of event the log keeps. */
export const EVENT_TYPES: readonly AnalyticsEvent["type"][] = ["search", "view", "booking", "cancel"];

/**
 * The analytics store: the most recent events in memory, and the view the
 * page reads (popular destinations) computed from them. It holds derived
 * data only, so it is rebuildable (the spec's `rebuild`): after a restart
 * it starts empty and refills from new events; losing it loses counts,
 * never a booking.
 *
 * @example
 * const events = new EventLog(10_000);
 * events.add({ type: "search", destination: "Rome", at: Date.now() });
 * events.popular(3); // [{ destination: "Rome", events: 1 }]
 */
export class EventLog {
  readonly #capacity: number;
  readonly #events: AnalyticsEvent[] = [];
  #next = 0;
  #total = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Events received since the process started. */
  get total(): number {
    return this.#total;
  }

  add(event: AnalyticsEvent): void {
    this.#total++;
    if (this.#events.length < this.#capacity) this.#events.push(event);
    else this.#events[this.#next] = event;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The destinations with the most events among those kept, most first. */
  popular(limit: number): { destination: string; events: number }[] {
    const counts = new Map<string, number>();
    for (const event of this.#events) {
      if (event.destination !== undefined) counts.set(event.destination, (counts.get(event.destination) ?? 0) + 1);
    }
    return [...counts]
      .map(([destination, events]) => ({ destination, events }))
      .sort((a, b) => b.events - a.events || a.destination.localeCompare(b.destination))
      .slice(0, limit);
  }
}
