/**
 * A source of time. Every policy, worker and timer in nines takes its time
 * from a `Clock` so that tests and the simulator can run hours of behaviour
 * in milliseconds on a {@link ManualClock}, deterministically.
 *
 * @example
 * const clock = systemClock;
 * const started = clock.now();
 * await clock.sleep(100);
 * clock.now() - started >= 100; // true
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (virtual on a manual clock). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. When `signal` aborts first, rejects at
   * once with the signal's reason and leaves no timer behind.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fn` once after `ms` milliseconds unless cancelled. Cheaper than
   * `sleep` for hot paths (no promise, no AbortController).
   */
  schedule(ms: number, fn: () => void): Timer;
}

/** A scheduled call that can be cancelled; cancelling twice is harmless. */
export interface Timer {
  cancel(): void;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** The real clock: `Date.now()` and Node's timers. Timers do not keep the process alive. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(handle);
        reject(abortReason(signal as AbortSignal));
      };
      const handle = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  schedule(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

/** The shared real clock. */
export const systemClock: Clock = new SystemClock();
