import type { Clock, Timer } from "@nines/core";

/** One entry of a {@link DeadlineQueue}: expires at `deadline` unless settled first. */
export abstract class Deadline {
  readonly deadline: number;
  /** Set when the entry settled or expired; the queue skips it. */
  done = false;
  /** The next entry in the queue (a singly linked list: no array shifting). */
  after: Deadline | undefined = undefined;

  constructor(deadline: number) {
    this.deadline = deadline;
  }

  /** Called once, on the clock's timer, when the deadline passes before the entry settled. */
  abstract expire(): void;
}

/**
 * Deadlines that are added in the order they fall due (a timeout with one
 * fixed duration: each call's deadline is now + ms), kept in a linked list
 * and watched by ONE clock timer instead of one timer per call. Settling an
 * entry is O(1) (a flag; settled entries at the head are dropped at once);
 * the timer fires for the earliest live deadline, expires everything due and
 * re-arms for the next. When the queue empties the timer is left to fire
 * once, harmlessly, instead of being cancelled and re-armed on every call.
 *
 * @example
 * const queue = new DeadlineQueue(clock);
 * queue.add(entry);    // entry.deadline >= every deadline added before
 * queue.settle(entry); // the call finished in time
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  #head: Deadline | undefined = undefined;
  #tail: Deadline | undefined = undefined;
  #timer: Timer | undefined = undefined;
  readonly #fire = (): void => this.#expireDue();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Appends an entry; its deadline must not be earlier than any deadline added before (callers check). */
  add(entry: Deadline, now: number): void {
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.after = entry;
    this.#tail = entry;
    if (this.#timer === undefined) this.#arm(entry.deadline, now);
  }

  /** The latest deadline added (entries must come in this order). */
  get lastDeadline(): number {
    return this.#tail === undefined ? Number.NEGATIVE_INFINITY : this.#tail.deadline;
  }

  /** Marks an entry finished in time. */
  settle(entry: Deadline): void {
    entry.done = true;
    this.#dropSettled();
  }

  #dropSettled(): void {
    let head = this.#head;
    while (head?.done) head = head.after;
    this.#head = head;
    if (head === undefined) this.#tail = undefined;
  }

  #arm(at: number, now: number): void {
    this.#timer = this.#clock.schedule(at - now, this.#fire);
  }

  #expireDue(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (;;) {
      this.#dropSettled();
      const head = this.#head;
      if (head === undefined) return;
      if (head.deadline > now) {
        this.#arm(head.deadline, now);
        return;
      }
      head.done = true;
      head.expire();
    }
  }
}
