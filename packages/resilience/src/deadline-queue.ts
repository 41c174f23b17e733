import { type Clock, systemClock, type Timer } from "@nines/core";

const RESOLVED = Promise.resolve();

/** One entry of a {@link DeadlineQueue}: expires at `deadlineAt` unless settled first. */
export abstract class Deadline {
  readonly deadlineAt: number;
  /** Set when the entry settled or expired; the queue skips it. */
  done = false;
  /** The next entry in the queue (a singly linked list: no array shifting). */
  after: Deadline | undefined = undefined;

  constructor(deadlineAt: number) {
    this.deadlineAt = deadlineAt;
  }

  /** Called once, on the clock's timer, when the deadline passes before the entry settled. */
  abstract expire(): void;
}

/**
 * Deadlines that are added in the order they fall due (a timeout with one
 * fixed duration: each call's deadline is now + timeoutMs), kept in a linked
 * list and watched by ONE clock timer instead of one timer per call.
 * Settling an entry is O(1) (a flag; settled entries at the head are dropped
 * at once); the timer fires for the earliest live deadline, expires
 * everything due and re-arms for the next. When the last entry settles the
 * timer is cancelled, so an idle queue leaves no timer behind (a process or
 * a test waiting for timers to drain is not held until the old deadline).
 *
 * The timer is armed just after `add`, by a check that runs before any
 * timer of the clock can fire, so every deadline is kept exactly; an entry
 * that settled by then (an operation that answered from memory, its
 * continuation registered before the entry was added) costs no timer and no
 * cancellation. On the system clock the check is a `process.nextTick`: it
 * runs once the microtask queue is empty, before the event loop reaches its
 * timers, so a loop of awaited calls that answer at once arms no timer at
 * all and one check serves every entry added meanwhile. Another clock (a
 * virtual one may fire its timers from a tick, as the simulator's does) gets
 * a microtask per check instead.
 *
 * @example
 * const queue = new DeadlineQueue({ clock });
 * queue.add(entry);    // entry.deadlineAt >= every deadline added before
 * queue.settle(entry); // the call finished in time
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  #head: Deadline | undefined = undefined;
  #tail: Deadline | undefined = undefined;
  #timer: Timer | undefined = undefined;
  /** An arming check is queued. */
  #arming = false;
  readonly #queueCheck: (check: () => void) => void;
  readonly #fire = (): void => this.#expireDue();
  readonly #armIfWaiting = (): void => {
    this.#arming = false;
    const head = this.#head;
    if (head !== undefined && this.#timer === undefined) this.#arm(head.deadlineAt, this.#clock.now());
  };

  constructor({ clock }: { clock: Clock }) {
    this.#clock = clock;
    this.#queueCheck = clock === systemClock ? process.nextTick : afterMicrotask;
  }

  /** Appends an entry; its deadline must not be earlier than any deadline added before (callers check). */
  add(entry: Deadline): void {
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.after = entry;
    this.#tail = entry;
    if (this.#timer === undefined && !this.#arming) {
      this.#arming = true;
      this.#queueCheck(this.#armIfWaiting);
    }
  }

  /** The latest deadline added (entries must come in this order). */
  get lastDeadlineAt(): number {
    return this.#tail === undefined ? Number.NEGATIVE_INFINITY : this.#tail.deadlineAt;
  }

  /** Marks an entry finished in time; cancels the timer when no entry is left. */
  settle(entry: Deadline): void {
    entry.done = true;
    if (this.#head !== entry) return; // an entry behind a live head: the head keeps the timer
    this.#dropSettled();
    if (this.#head === undefined && this.#timer !== undefined) {
      this.#timer.cancel();
      this.#timer = undefined;
    }
  }

  #dropSettled(): void {
    let head = this.#head;
    while (head?.done) {
      // Unlinked as it leaves: a dropped entry that already reached the old generation would otherwise keep
      // the entries after it (and what their calls hold) alive through every young collection until the next
      // full one, each promoting the next: the whole stream of calls would be copied and promoted.
      const after: Deadline | undefined = head.after;
      head.after = undefined;
      head = after;
    }
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
      if (head.deadlineAt > now) {
        this.#arm(head.deadlineAt, now);
        return;
      }
      head.done = true;
      head.expire();
    }
  }
}

/** Runs `check` as a microtask (a reaction on a settled promise: cheaper than queueMicrotask, which makes an async resource). */
function afterMicrotask(check: () => void): void {
  void RESOLVED.then(check);
}
