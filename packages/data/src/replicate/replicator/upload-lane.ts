import type { Clock } from "@nines/core";
import type { BackupTarget, TargetBody } from "../../backup/targets/target.js";

/** An object to store in every target: encoded once, kept (in memory or a staging file) until all have it. */
export interface StoredObject {
  key: string;
  kind: "generation" | "snapshot" | "segment";
  /** The segment's number (a snapshot's: the first segment after it). */
  seq: number;
  body: TargetBody;
  bytes: number;
  /** Called once when no lane needs the object any more (its staging file can go). */
  release(): void;
}

/** Ends of retries: the first wait and the longest one. */
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 30_000;

/**
 * One target's queue of objects, stored strictly one after the other in
 * the order given (a segment is never stored before the one it follows,
 * so a reader never sees a hole that later fills), each retried with
 * doubling waits until it is stored or the lane is stopped. A failure is
 * reported and retried, never dropped: later objects wait behind it.
 *
 * @example
 * const lane = new UploadLane(target, { clock, onStored, onError });
 * lane.push(object);
 * await lane.idle();
 */
export class UploadLane {
  readonly target: BackupTarget;
  readonly #clock: Clock;
  readonly #onStored: (object: StoredObject, durationMs: number) => void;
  readonly #onError: (object: StoredObject, error: unknown) => void;
  readonly #queue: StoredObject[] = [];
  #running = false;
  #stopped = false;
  #idle: (() => void)[] = [];
  #wake: (() => void) | undefined;
  /** Bytes waiting in the queue. */
  backlogBytes = 0;

  constructor(
    target: BackupTarget,
    options: {
      clock: Clock;
      onStored: (object: StoredObject, durationMs: number) => void;
      onError: (object: StoredObject, error: unknown) => void;
    },
  ) {
    this.target = target;
    this.#clock = options.clock;
    this.#onStored = options.onStored;
    this.#onError = options.onError;
  }

  /** Queues an object; the lane holds it (the caller's reference is released when the lane is done). */
  push(object: StoredObject): void {
    if (this.#stopped) {
      object.release();
      return;
    }
    this.#queue.push(object);
    this.backlogBytes += object.bytes;
    if (!this.#running) void this.#run();
  }

  /** Objects waiting or being stored. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once the queue is empty (at once if it is). */
  idle(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops: what is queued is released unstored, a wait between retries ends at once. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
    for (const object of this.#queue.splice(0)) object.release();
    this.backlogBytes = 0;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #run(): Promise<void> {
    this.#running = true;
    let waitMs = FIRST_RETRY_MS;
    while (this.#queue.length > 0 && !this.#stopped) {
      const object = this.#queue[0] as StoredObject;
      const started = this.#clock.now();
      try {
        await this.target.put(object.key, object.body);
      } catch (error) {
        if (this.#stopped) break;
        this.#onError(object, error);
        await this.#sleep(waitMs);
        waitMs = Math.min(LONGEST_RETRY_MS, waitMs * 2);
        continue;
      }
      waitMs = FIRST_RETRY_MS;
      if (this.#queue[0] === object) {
        this.#queue.shift();
        this.backlogBytes -= object.bytes;
        object.release();
      }
      this.#onStored(object, this.#clock.now() - started);
    }
    this.#running = false;
    if (this.#queue.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.schedule(ms, () => {
        this.#wake = undefined;
        resolve();
      });
      this.#wake = () => {
        timer.cancel();
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
