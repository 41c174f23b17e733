import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";

/**
 * Exact-length reads from an open local file holding one object, as
 * {@link ByteReader} reads a stream, with one more way to take bytes:
 * `reserve(n)` passes over them and says where they are, for a thread that
 * reads them itself (no copy through this thread). Reads are positioned
 * and synchronous: they serve record heads of a few bytes, and small
 * objects, from the page cache.
 *
 * @example
 * const handle = await open(path, "r");
 * const reader = new FileReader(handle, (await handle.stat()).size);
 * const magic = reader.take(8);
 */
export class FileReader {
  readonly #handle: FileHandle;
  readonly #size: number;
  #position = 0;
  #closed = false;

  constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.#size = size;
  }

  /** The open file's descriptor (for threads that read reserved bytes). */
  get fd(): number {
    return this.#handle.fd;
  }

  /** Exactly `n` bytes, or fewer when the file ends before. */
  async take(n: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(n, this.#size - this.#position));
    // Record heads (8 bytes) come from Node's shared pool; a chunk gets memory of its own.
    const bytes = want < 4096 ? Buffer.allocUnsafe(want) : Buffer.allocUnsafeSlow(want);
    let done = 0;
    while (done < want) {
      const read = readSync(this.#handle.fd, bytes, done, want - done, this.#position + done);
      if (read === 0) break; // the file shrank since it was opened
      done += read;
    }
    this.#position += done;
    return done === want ? bytes : bytes.subarray(0, done);
  }

  /** Passes over `n` bytes and returns their offset, or `undefined` (taking nothing) when fewer are left. */
  reserve(n: number): number | undefined {
    if (this.#position + n > this.#size) return undefined;
    const at = this.#position;
    this.#position += n;
    return at;
  }

  /** True when nothing is left. */
  async atEnd(): Promise<boolean> {
    return this.#position >= this.#size;
  }

  /** Closes the file (once). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}
