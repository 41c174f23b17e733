import { writevSync } from "node:fs";
import type { ChunkThreads, HeldPage } from "../codec/chunk-threads.js";

/** Memory that held pages may keep alive before they are written: a log rewrites the same pages over and over. */
const HELD_BYTES = 128 * 1024 * 1024;
/** At most this many pages per system call (IOV_MAX is 1024 on Linux). */
const RUN_PAGES = 1024;

/**
 * Writes pages at their offsets (page `n` at `(n - 1) * pageSize`), given
 * in ascending order, one system call per run of adjacent pages.
 *
 * @example
 * writePagesSync(fd, 4096, [[1, page1], [2, page2], [9, page9]]);
 */
export function writePagesSync(fd: number, pageSize: number, pages: [number, Buffer][]): void {
  for (let i = 0; i < pages.length; ) {
    let j = i + 1;
    while (j < pages.length && j - i < RUN_PAGES && (pages[j] as HeldPage)[0] === (pages[j - 1] as HeldPage)[0] + 1)
      j++;
    const run = pages.slice(i, j).map(([, bytes]) => bytes);
    let position = ((pages[i] as HeldPage)[0] - 1) * pageSize;
    let left = (j - i) * pageSize;
    // A short write goes on from where it stopped.
    while (left > 0) {
      const done = writevSync(fd, run, position);
      left -= done;
      position += done;
      let skip = done;
      while (left > 0 && skip > 0 && skip >= (run[0] as Buffer).length) skip -= (run.shift() as Buffer).length;
      if (left > 0 && skip > 0) run[0] = (run[0] as Buffer).subarray(skip);
    }
    i = j;
  }
}

/**
 * The newest version of each page replayed so far, held across segments
 * and written into the database being rebuilt in page order when the
 * memory it keeps alive reaches `limitBytes` (the caller flushes when it
 * is `full`) and at the end: a page the log rewrites a thousand times is
 * written once. Pages stay where they were decoded (no copy); a decoded
 * chunk is kept alive while one of its pages is the newest. With
 * `threads`, they write the pages (from the shared memory they decoded the
 * chunks into, without a copy) while this thread waits. With `base`, nothing is written before it: the first
 * flush hands it the pages (to lay over the image it writes, in one pass)
 * and writes only those it gives back.
 *
 * @example
 * const held = new HeldPages(handle.fd, 4096);
 * held.put(7, frames, 24);
 * await held.flush();
 */
export class HeldPages {
  readonly #fd: number;
  readonly #pageSize: number;
  readonly #limitBytes: number;
  readonly #threads: ChunkThreads | undefined;
  readonly #pages = new Map<number, Buffer>();
  /** How many held pages each decoded chunk's memory holds, and their total size. */
  readonly #holders = new Map<ArrayBufferLike, number>();
  #keptBytes = 0;
  #base: ((pages: HeldPage[]) => Promise<HeldPage[]>) | undefined;

  constructor(
    fd: number,
    pageSize: number,
    options: {
      limitBytes?: number;
      threads?: ChunkThreads | undefined;
      base?: (pages: HeldPage[]) => Promise<HeldPage[]>;
    } = {},
  ) {
    this.#fd = fd;
    this.#pageSize = pageSize;
    this.#limitBytes = options.limitBytes ?? HELD_BYTES;
    this.#threads = options.threads;
    this.#base = options.base;
  }

  /** Distinct pages held. */
  get size(): number {
    return this.#pages.size;
  }

  /** Whether the memory kept alive reached the limit: time to {@link flush}. */
  get full(): boolean {
    return this.#keptBytes >= this.#limitBytes;
  }

  /**
   * Holds the page at `offset` of `source` (not copied: `source` must not
   * change afterwards) as the newest version of page `page` (1-based).
   */
  put(page: number, source: Buffer, offset: number): void {
    const previous = this.#pages.get(page);
    if (previous) this.#release(previous.buffer);
    this.#pages.set(page, source.subarray(offset, offset + this.#pageSize));
    const count = this.#holders.get(source.buffer) ?? 0;
    if (count === 0) this.#keptBytes += source.buffer.byteLength;
    this.#holders.set(source.buffer, count + 1);
  }

  #release(buffer: ArrayBufferLike): void {
    const count = (this.#holders.get(buffer) as number) - 1;
    if (count > 0) {
      this.#holders.set(buffer, count);
    } else {
      this.#holders.delete(buffer);
      this.#keptBytes -= buffer.byteLength;
    }
  }

  /** Writes every held page at its offset, in page order (the base first, the first time), and starts over. */
  async flush(): Promise<void> {
    let pages = [...this.#pages].sort((a, b) => a[0] - b[0]);
    this.#pages.clear();
    this.#holders.clear();
    this.#keptBytes = 0;
    const base = this.#base;
    this.#base = undefined;
    if (base) pages = await base(pages);
    if (pages.length === 0) return;
    if (this.#threads) await this.#threads.writePages(this.#fd, this.#pageSize, pages);
    else writePagesSync(this.#fd, this.#pageSize, pages);
  }
}
