import type { Timer } from "@nines/core";

/**
 * One scheduled call of an {@link EventQueue}: fires `fn` at `at` unless
 * cancelled. It is its own {@link Timer}, so scheduling allocates one object.
 *
 * @example
 * const event = queue.add(10, () => console.log("fired"));
 * event.cancel();
 */
export class SimEvent implements Timer {
  readonly at: number;
  readonly seq: number;
  /** Called with `arg` (undefined unless scheduled with one). */
  fn: ((arg: unknown) => void) | undefined;
  /** Dropped when the event fires or is cancelled, like `fn`. */
  arg: unknown;
  /** The callback settles no promise and queues no microtask: nothing to drain after it. */
  readonly sync: boolean;
  readonly #queue: EventQueue;

  constructor(at: number, seq: number, fn: (arg: unknown) => void, sync: boolean, queue: EventQueue, arg: unknown) {
    this.at = at;
    this.seq = seq;
    this.fn = fn;
    this.arg = arg;
    this.sync = sync;
    this.#queue = queue;
  }

  /** Stops the call; harmless after it fired or when called twice. */
  cancel(): void {
    if (this.fn === undefined) return;
    this.fn = undefined;
    this.arg = undefined;
    this.#queue.noteCancelled();
  }
}

/**
 * The pending events of a simulation: a binary min-heap ordered by time,
 * then by the order they were added (so two events at one instant fire in
 * the order they were scheduled, as on `ManualClock`). Add and take are
 * O(log n); cancelling is O(1) (the event is skipped when it reaches the
 * top) and the heap is rebuilt without cancelled events once they are the
 * majority, so memory follows the live events only.
 *
 * @example
 * const queue = new EventQueue();
 * queue.add(5, () => {});
 * queue.add(1, () => {});
 * queue.take()?.at; // 1
 */
export class EventQueue {
  #heap: SimEvent[] = [];
  #seq = 0;
  #cancelled = 0;

  /** Live (not cancelled) events waiting. */
  get size(): number {
    return this.#heap.length - this.#cancelled;
  }

  /** Adds a call of `fn(arg)` at time `at`; `sync` marks a callback that settles no promise. */
  add<A>(at: number, fn: (arg: A) => void, sync = false, arg?: A): SimEvent {
    const event = new SimEvent(at, this.#seq++, fn as (arg: unknown) => void, sync, this, arg);
    const heap = this.#heap;
    let index = heap.length;
    heap.push(event);
    // Sift up.
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as SimEvent;
      if (parent.at < at || (parent.at === at && parent.seq < event.seq)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
    return event;
  }

  /** The earliest live event, without taking it; undefined when none. */
  peek(): SimEvent | undefined {
    const heap = this.#heap;
    while (heap.length > 0) {
      const top = heap[0] as SimEvent;
      if (top.fn !== undefined) return top;
      this.#removeTop();
      this.#cancelled--;
    }
    return undefined;
  }

  /** Takes the earliest live event; undefined when none. */
  take(): SimEvent | undefined {
    const top = this.peek();
    if (top !== undefined) this.#removeTop();
    return top;
  }

  /** @internal Called by {@link SimEvent.cancel}. */
  noteCancelled(): void {
    this.#cancelled++;
    if (this.#cancelled > 1024 && this.#cancelled * 2 > this.#heap.length) this.#compact();
  }

  #removeTop(): void {
    const heap = this.#heap;
    const last = heap.pop() as SimEvent;
    const length = heap.length;
    if (length === 0) return;
    // Sift `last` down from the root.
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      let smallest = heap[child] as SimEvent;
      const right = child + 1;
      if (right < length) {
        const other = heap[right] as SimEvent;
        if (other.at < smallest.at || (other.at === smallest.at && other.seq < smallest.seq)) {
          child = right;
          smallest = other;
        }
      }
      if (last.at < smallest.at || (last.at === smallest.at && last.seq < smallest.seq)) break;
      heap[index] = smallest;
      index = child;
    }
    heap[index] = last;
  }

  /** Drops cancelled events; a sorted array is a valid heap. */
  #compact(): void {
    const live = this.#heap.filter((event) => event.fn !== undefined);
    live.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#heap = live;
    this.#cancelled = 0;
  }
}
