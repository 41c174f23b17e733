import type { Socket } from "node:net";
import type { Clock, Timer } from "@nines/core";

const HIGH_WATER = 1 << 20;

/**
 * One direction of a proxied connection: chunks read from `from` are
 * written to `to`, each at the time the current shaping says (extra delay,
 * bandwidth), in order. `from` is paused while too much is queued or while
 * the direction is held (a partition), so TCP flow control stalls the
 * sender as a real network would.
 */
export class Direction {
  delayMs = 0;
  bytesPerSecond = Number.POSITIVE_INFINITY;
  #held = false;
  #queued = 0;
  #freeAt = 0;
  #lastAt = 0;
  /** Sees each chunk first; returning true consumes it (an injected answer). */
  intercept: ((chunk: Buffer) => boolean) | undefined;
  readonly #timers = new Set<Timer>();

  constructor(
    readonly from: Socket,
    readonly to: Socket,
    readonly clock: Clock,
  ) {}

  /** Starts moving data. */
  start(): void {
    this.from.on("data", (chunk: Buffer) => this.#push(chunk));
    this.from.on("end", () => this.#after(() => this.to.end()));
    if (this.#held) this.from.pause();
  }

  /** Stops the flow (nothing is read or written) until {@link release}. */
  hold(): void {
    this.#held = true;
    this.from.pause();
  }

  release(): void {
    this.#held = false;
    if (this.#queued < HIGH_WATER) this.from.resume();
  }

  /** Cancels pending writes (the connection is closing). */
  cancel(): void {
    for (const timer of this.#timers) timer.cancel();
    this.#timers.clear();
  }

  #push(chunk: Buffer): void {
    if (this.intercept?.(chunk)) return;
    const now = this.clock.now();
    // The chunk is on the wire once the ones before it are; it arrives when fully sent, plus the delay.
    const onWire = Math.max(now, this.#freeAt);
    this.#freeAt = Number.isFinite(this.bytesPerSecond) ? onWire + (chunk.length / this.bytesPerSecond) * 1000 : onWire;
    const sendAt = Math.max(this.#freeAt + this.delayMs, this.#lastAt);
    this.#lastAt = sendAt;
    if (sendAt <= now && this.#queued === 0) {
      this.#write(chunk);
      return;
    }
    this.#queued += chunk.length;
    if (this.#queued >= HIGH_WATER) this.from.pause();
    const timer = this.clock.schedule(sendAt - now, () => {
      this.#timers.delete(timer);
      this.#queued -= chunk.length;
      this.#write(chunk);
      if (this.#queued < HIGH_WATER && !this.#held) this.from.resume();
    });
    this.#timers.add(timer);
  }

  #write(chunk: Buffer): void {
    if (this.to.destroyed) return;
    if (!this.to.write(chunk)) {
      this.from.pause();
      this.to.once("drain", () => {
        if (!this.#held) this.from.resume();
      });
    }
  }

  /** Runs `fn` once every queued chunk has been written. */
  #after(fn: () => void): void {
    const wait = Math.max(0, this.#lastAt - this.clock.now());
    if (wait === 0 && this.#queued === 0) fn();
    else this.clock.schedule(wait + 1, fn);
  }
}
