/**
 * Exact-length reads from a stream of buffers (a target's object stream):
 * `take(n)` returns exactly `n` bytes, or what was left when the stream
 * ended first, so a caller can tell a cut-off object from a whole one.
 *
 * @example
 * const reader = new ByteReader(await target.get(key));
 * const magic = await reader.take(8);
 */
export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #done = false;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.#source =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (async function* () {
            yield* source;
          })();
  }

  /** Exactly `n` bytes, or fewer when the stream ended before. */
  async take(n: number): Promise<Buffer> {
    await this.#fill(n);
    const want = Math.min(n, this.#pendingBytes);
    const first = this.#pending[0];
    if (first && first.length >= want) {
      // Within one buffer of the stream: a view, no copy.
      const rest = first.subarray(want);
      if (rest.length > 0) this.#pending[0] = rest;
      else this.#pending.shift();
      this.#pendingBytes -= want;
      return first.subarray(0, want);
    }
    // Across buffers: copy only the bytes taken; the rest stays a view of the last buffer.
    const taken = Buffer.allocUnsafeSlow(want);
    let at = 0;
    while (at < want) {
      const part = this.#pending[0] as Buffer;
      const use = Math.min(part.length, want - at);
      part.copy(taken, at, 0, use);
      at += use;
      if (use < part.length) this.#pending[0] = part.subarray(use);
      else this.#pending.shift();
    }
    this.#pendingBytes -= want;
    return taken;
  }

  /** True when nothing is left. */
  async atEnd(): Promise<boolean> {
    await this.#fill(1);
    return this.#pendingBytes === 0;
  }

  /** Stops reading the source (closes a network stream early). */
  async close(): Promise<void> {
    this.#done = true;
    await this.#source.return?.();
  }

  async #fill(n: number): Promise<void> {
    while (this.#pendingBytes < n && !this.#done) {
      const next = await this.#source.next();
      if (next.done) {
        this.#done = true;
        break;
      }
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      if (chunk.length === 0) continue;
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
  }
}
