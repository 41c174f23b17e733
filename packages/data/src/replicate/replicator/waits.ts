import type { Clock, Timer } from "@nines/core";

/**
 * Waits for `promise` while keeping the process alive: the replicator's
 * own timers (ticks, retries) do not, so an application that forgets to
 * stop it can still exit, but one that waits for `sync()` or `stop()` must
 * not exit before the retry that would serve it.
 *
 * @example
 * await keepingAlive(clock, targets.storedEverywhere(generation, seq));
 */
export async function keepingAlive<T>(clock: Clock, promise: Promise<T>): Promise<T> {
  const done = new AbortController();
  const keep = (async () => {
    while (!done.signal.aborted) await clock.sleep(1000, done.signal).catch(() => undefined);
  })();
  try {
    return await promise;
  } finally {
    done.abort();
    await keep;
  }
}

/**
 * Waits for `promise`, or until `deadline` (epoch ms on `clock`), whichever comes first.
 *
 * @example
 * await untilDeadline(clock, clock.now() + 30_000, lanes.idle());
 */
export async function untilDeadline(clock: Clock, deadline: number, promise: Promise<unknown>): Promise<void> {
  let timer: Timer | undefined;
  const timeout = new Promise<void>((done) => {
    timer = clock.schedule(Math.max(0, deadline - clock.now()), done);
  });
  await Promise.race([promise.then(() => undefined), timeout]);
  timer?.cancel();
}

/**
 * Runs async steps one at a time, in the order asked (the loop's ticks,
 * `sync()`, `snapshot()` and `stop()` never interleave).
 *
 * @example
 * const serial = new Serial();
 * await serial.run(async () => step());
 */
export class Serial {
  #last: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#last.then(fn);
    this.#last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
