import type { AdmissionTicket } from "../admission-gate.js";

/** A count of admitted, unreleased requests, shared by a simple gate and its tickets. */
export class InflightCounter {
  inflight = 0;
}

/**
 * A ticket that counts itself in an {@link InflightCounter} until released
 * (once). A class, not a closure: one small allocation per request.
 *
 * @example
 * const counter = new InflightCounter();
 * const ticket = new CountedTicket(counter); // counter.inflight === 1
 * ticket.release();                          // counter.inflight === 0
 */
export class CountedTicket implements AdmissionTicket {
  readonly admitted = true as const;
  #counter: InflightCounter | undefined;

  constructor(counter: InflightCounter) {
    counter.inflight++;
    this.#counter = counter;
  }

  release(): void {
    if (this.#counter === undefined) return;
    this.#counter.inflight--;
    this.#counter = undefined;
  }
}
