/**
 * Runs tasks one at a time per key, in arrival order (tasks of different
 * keys run concurrently); the chain of a key is forgotten once it is idle.
 *
 * @example
 * const lock = new KeyedLock();
 * await lock.run("rome-1", () => reserveSeat("rome-1"));
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
