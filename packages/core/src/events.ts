/** A listener for one event type. */
export type Listener<T> = (event: T) => void;

/** Unsubscribes a listener; calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * A small, synchronous, typed event emitter. Emitting with no listener costs
 * one property check, so hot paths can emit freely. A listener that throws
 * does not break the emitter or the code that emitted: the error goes to
 * `onListenerError`, by default rethrown on a microtask, where it surfaces
 * as an uncaught exception instead of being lost.
 *
 * @example
 * const events = new Events<{ retry: { attempt: number } }>();
 * const off = events.on("retry", (e) => console.log(e.attempt));
 * events.emit("retry", { attempt: 2 });
 * off();
 */
export class Events<Map extends object> {
  #listeners: { [K in keyof Map]?: Listener<Map[K]>[] } = {};
  readonly #onListenerError: (error: unknown, type: keyof Map) => void;

  constructor(options: { onListenerError?: (error: unknown, type: keyof Map) => void } = {}) {
    this.#onListenerError = options.onListenerError ?? rethrowLater;
  }

  on<K extends keyof Map>(type: K, listener: Listener<Map[K]>): Unsubscribe {
    const list = this.#listeners[type];
    this.#listeners[type] = list ? [...list, listener] : [listener];
    return () => this.off(type, listener);
  }

  off<K extends keyof Map>(type: K, listener: Listener<Map[K]>): void {
    const list = this.#listeners[type];
    if (!list) return;
    const rest = list.filter((l) => l !== listener);
    if (rest.length === 0) delete this.#listeners[type];
    else this.#listeners[type] = rest;
  }

  /** True when someone listens to `type` (lets callers skip building the event). */
  has<K extends keyof Map>(type: K): boolean {
    return this.#listeners[type] !== undefined;
  }

  emit<K extends keyof Map>(type: K, event: Map[K]): void {
    const list = this.#listeners[type];
    if (!list) return;
    for (const listener of list) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, type);
      }
    }
  }
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
