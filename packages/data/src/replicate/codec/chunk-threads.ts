import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CHUNK_THREAD_SCRIPT } from "./chunk-thread-script.js";
import type { ReplicaCompression } from "./compression.js";

/** How to check one sealed chunk, as {@link ObjectSeal.opening} describes it. */
export interface ChunkOpening {
  /** `sha256`: the tag is the first bytes of SHA-256(aad, stored); `aes-256-gcm`: decrypt with `key` and `nonce`. */
  scheme: "sha256" | "aes-256-gcm";
  key?: Buffer | undefined;
  nonce: Buffer;
  aad: Buffer;
}

/** One chunk to open: its sealed bytes followed by its tag in `body`, and where to write it, if anywhere. */
export interface ChunkJob {
  opening: ChunkOpening;
  compression: ReplicaCompression;
  plainBytes: number;
  /**
   * The stored bytes, then the 16-byte tag: in memory (moved to the thread,
   * unusable here afterwards), or at `offset` of the open file `fd`, read
   * there by the thread.
   */
  body: Buffer | { fd: number; offset: number };
  /** Stored bytes, without the tag. */
  storedBytes: number;
  /** Write the opened chunk at this offset of this open file instead of handing it back. */
  writeAt?: { fd: number; offset: number };
  /** Pages laid over the opened chunk before it is written: each page's bytes at that byte of the chunk. */
  patch?: { pageSize: number; pages: [at: number, bytes: Buffer][] };
}

/** A page number and its bytes. */
export type HeldPage = [number, Buffer];

/**
 * Pages as threads read them: the shared memory they are in, and for each
 * one its key (a page number, or an offset), the memory's index and the
 * offset there. Pages outside shared memory (rare: a frame across two
 * chunks) are copied into one more block.
 */
function sharePages(pages: readonly [number, Buffer][], pageSize: number) {
  const memory: SharedArrayBuffer[] = [];
  const index = new Map<SharedArrayBuffer, number>();
  const entries = new Float64Array(pages.length * 3);
  const loose = pages.filter(([, bytes]) => !(bytes.buffer instanceof SharedArrayBuffer));
  const extra = loose.length > 0 ? Buffer.from(new SharedArrayBuffer(loose.length * pageSize)) : undefined;
  let copied = 0;
  for (const [i, [key, bytes]] of pages.entries()) {
    let shared = bytes;
    if (!(bytes.buffer instanceof SharedArrayBuffer)) {
      shared = (extra as Buffer).subarray(copied * pageSize, (copied + 1) * pageSize);
      bytes.copy(shared, 0, 0, pageSize);
      copied++;
    }
    const sab = shared.buffer as SharedArrayBuffer;
    let at = index.get(sab);
    if (at === undefined) {
      at = memory.length;
      memory.push(sab);
      index.set(sab, at);
    }
    entries.set([key, at, shared.byteOffset], i * 3);
  }
  return { pageSize, memory, entries };
}

/** What became of a chunk: its plain bytes (unless written), or why it was refused. */
export type ChunkOutcome =
  | { ok: true; plain: Buffer | undefined }
  | { ok: false; reason: "tag" | "data" | "read" | "write"; message: string };

interface Pending {
  resolve: (outcome: ChunkOutcome) => void;
  reject: (error: unknown) => void;
}

/** Whether the bytes are the whole of a plain ArrayBuffer, so that it can be moved to a thread. */
function ownsItsMemory(bytes: Buffer): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * Worker threads that open replica chunks (check the tag, decrypt,
 * decompress) and write them where a restore wants them, so that a large
 * restore checks on every core while the caller's thread only reads the
 * objects. Chunk bytes move to a thread without a copy when they own their
 * memory (otherwise they are copied once); opened chunks come back in
 * shared memory, so that their pages reach any thread later without a
 * copy. A thread that dies fails what waits for it.
 *
 * @example
 * const threads = ChunkThreads.start();
 * try { const outcome = await threads.run(job); } finally { await threads.close(); }
 */
export class ChunkThreads {
  readonly #workers: Worker[];
  readonly #load: number[];
  readonly #pending = new Map<number, Pending & { worker: number }>();
  #next = 0;
  #dead: Error | undefined;

  private constructor(count: number) {
    this.#workers = Array.from({ length: count }, (_, i) => this.#spawn(i));
    this.#load = this.#workers.map(() => 0);
  }

  /** Starts `count` threads (by default one per core, 1 to 4). */
  static start(count = Math.min(4, Math.max(1, availableParallelism()))): ChunkThreads {
    return new ChunkThreads(count);
  }

  /** The number of threads. */
  get size(): number {
    return this.#workers.length;
  }

  #spawn(index: number): Worker {
    const worker = new Worker(CHUNK_THREAD_SCRIPT, { eval: true, execArgv: [] });
    worker.on(
      "message",
      (
        m: { id: number; ok: boolean; memory?: SharedArrayBuffer; byteOffset?: number; byteLength?: number } & Partial<
          Extract<ChunkOutcome, { ok: false }>
        >,
      ) => {
        const pending = this.#pending.get(m.id);
        if (!pending) return;
        this.#pending.delete(m.id);
        this.#load[index] = (this.#load[index] as number) - 1;
        if (m.ok) {
          pending.resolve({
            ok: true,
            plain: m.memory ? Buffer.from(m.memory, m.byteOffset, m.byteLength) : undefined,
          });
        } else {
          pending.resolve({ ok: false, reason: m.reason ?? "data", message: m.message ?? "" });
        }
      },
    );
    const fail = (error: Error) => {
      this.#dead ??= error;
      for (const [id, pending] of this.#pending) {
        if (pending.worker !== index) continue;
        this.#pending.delete(id);
        pending.reject(error);
      }
    };
    worker.once("error", fail);
    worker.once("exit", (code) => fail(new Error(`a chunk thread exited with status ${code}`)));
    return worker;
  }

  /** Opens one chunk on the least busy thread. */
  run(job: ChunkJob): Promise<ChunkOutcome> {
    if (this.#dead) return Promise.reject(this.#dead);
    let index = 0;
    for (let i = 1; i < this.#load.length; i++)
      if ((this.#load[i] as number) < (this.#load[index] as number)) index = i;
    const message: Record<string, unknown> = {
      opening: job.opening,
      compression: job.compression,
      plainBytes: job.plainBytes,
      storedBytes: job.storedBytes,
      writeAt: job.writeAt,
    };
    const moved: ArrayBuffer[] = [];
    if (job.patch) message.patch = sharePages(job.patch.pages, job.patch.pageSize);
    if (Buffer.isBuffer(job.body)) {
      let body = job.body;
      if (!ownsItsMemory(body)) {
        const copy = new Uint8Array(body);
        body = Buffer.from(copy.buffer, 0, copy.byteLength);
      }
      Object.assign(message, { buffer: body.buffer, byteOffset: body.byteOffset, byteLength: body.byteLength });
      moved.push(body.buffer as ArrayBuffer);
    } else {
      message.src = job.body;
    }
    return this.#send(index, message, moved);
  }

  /**
   * Writes pages at their offsets of an open file (page `n` at
   * `(n - 1) * pageSize`; `pages` ascending), each thread a contiguous
   * share, one system call per run of adjacent pages. Pages in shared
   * memory (as chunks come back from the threads) are not copied.
   */
  async writePages(fd: number, pageSize: number, pages: HeldPage[]): Promise<void> {
    const shares = Math.min(this.#workers.length, pages.length);
    const outcomes = await Promise.all(
      Array.from({ length: shares }, (_, t) => {
        const share = pages.slice(
          Math.floor((t * pages.length) / shares),
          Math.floor(((t + 1) * pages.length) / shares),
        );
        return this.#send(t, { kind: "pages", fd, ...sharePages(share, pageSize) });
      }),
    );
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw new Error(`writing pages failed: ${failed.message}`);
  }

  #send(index: number, message: Record<string, unknown>, moved: ArrayBuffer[] = []): Promise<ChunkOutcome> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<ChunkOutcome>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker: index });
      this.#load[index] = (this.#load[index] as number) + 1;
      (this.#workers[index] as Worker).postMessage({ ...message, id }, moved);
    });
  }

  /** Ends the threads at once; what still waits for them fails. */
  async close(): Promise<void> {
    this.#dead ??= new Error("the chunk threads were closed");
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
