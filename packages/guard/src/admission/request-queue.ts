/** A queued entry; `live` turns false when it leaves the queue early (its client went away). */
export interface Queued {
  live: boolean;
  readonly enqueuedAt: number;
}

/**
 * A double-ended queue with lazy removal: take the oldest or the newest in
 * O(1) amortised, and drop an entry from the middle by marking it dead.
 *
 * @example
 * const queue = new RequestQueue<Entry>();
 * queue.push(entry);
 * queue.takeNewest(); // entry
 */
export class RequestQueue<T extends Queued> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #live = 0;

  /** Entries still waiting. */
  get size(): number {
    return this.#live;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#live++;
  }

  /** Marks an entry as gone; it is skipped when reached. */
  remove(item: T): void {
    if (!item.live) return;
    item.live = false;
    this.#live--;
    this.#compact();
  }

  /** The oldest waiting entry, without taking it. */
  peekOldest(): T | undefined {
    this.#skipDeadHead();
    return this.#items[this.#head];
  }

  takeOldest(): T | undefined {
    this.#skipDeadHead();
    const item = this.#items[this.#head];
    if (!item) return undefined;
    this.#items[this.#head++] = undefined;
    this.#take(item);
    return item;
  }

  takeNewest(): T | undefined {
    for (;;) {
      if (this.#items.length <= this.#head) return undefined;
      const item = this.#items.pop();
      if (item?.live) {
        this.#take(item);
        return item;
      }
    }
  }

  #take(item: T): void {
    item.live = false;
    this.#live--;
    this.#compact();
  }

  #skipDeadHead(): void {
    while (this.#head < this.#items.length && !this.#items[this.#head]?.live) this.#head++;
  }

  #compact(): void {
    if (this.#live === 0) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
