/**
 * A first-in first-out queue of items with the time each joined, on a
 * growable ring buffer: push and shift are O(1) with no per-item
 * allocation, and the buffer shrinks back when a burst has drained.
 *
 * @example
 * const fifo = new Fifo<string>();
 * fifo.push("a", 10);
 * fifo.oldestAt; // 10
 * fifo.shift();  // "a"
 */
export class Fifo<T> {
  #items: (T | undefined)[] = new Array(16);
  #times = new Float64Array(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** When the oldest item joined (NaN when empty). */
  get oldestAt(): number {
    return this.#size === 0 ? Number.NaN : (this.#times[this.#head] as number);
  }

  push(item: T, at: number): void {
    if (this.#size === this.#items.length) this.#resize(this.#items.length * 2);
    const index = (this.#head + this.#size) & (this.#items.length - 1);
    this.#items[index] = item;
    this.#times[index] = at;
    this.#size++;
  }

  /** Takes the oldest item; undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    if (this.#items.length > 1024 && this.#size * 8 < this.#items.length) this.#resize(this.#items.length / 2);
    return item;
  }

  #resize(capacity: number): void {
    const items: (T | undefined)[] = new Array(capacity);
    const times = new Float64Array(capacity);
    const mask = this.#items.length - 1;
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) & mask;
      items[i] = this.#items[from];
      times[i] = this.#times[from] as number;
    }
    this.#items = items;
    this.#times = times;
    this.#head = 0;
  }
}
