import { compressChunk, compressChunkSync, type ReplicaCompression } from "./compression.js";
import { CHUNK_BYTES, type ObjectHeader, ObjectSeal, WORTH_COMPRESSING } from "./object-format.js";

/** What to encode: the header's fields (the encryption field comes from the key), and where the bytes go. */
export interface EncodeObjectOptions<M> {
  kind: ObjectHeader["kind"];
  generation: string;
  seq: number;
  meta: M;
  compression: ReplicaCompression;
  /** The replica key; no encryption without one. */
  key?: Uint8Array | undefined;
  /** The payload, in pieces of any size. */
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Receives the stored bytes in order (the caller collects them or writes a file). */
  write: (bytes: Buffer) => void | Promise<void>;
  /** Chunks compressed at once on the thread pool. */
  parallel?: number;
  /**
   * Compress in the calling thread, one chunk at a time, letting its event
   * loop run between chunks (a replicator in a worker thread), rather than
   * on the thread pool.
   */
  inline?: boolean;
}

/** Sizes of an encoded object. */
export interface EncodedSize {
  plainBytes: number;
  storedBytes: number;
}

/** Cuts a stream of pieces into chunks of exactly `size` bytes (the last one shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number) {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  for await (const piece of source) {
    let rest = piece;
    while (rest.length > 0) {
      const take = Math.min(size - bytes, rest.length);
      parts.push(rest.subarray(0, take));
      bytes += take;
      rest = rest.subarray(take);
      if (bytes === size) {
        yield Buffer.concat(parts);
        parts = [];
        bytes = 0;
      }
    }
  }
  if (bytes > 0) yield Buffer.concat(parts);
}

/**
 * Encodes a replica object (see `object-format.ts`): the header, then the
 * payload in 1 MiB chunks, each compressed on the thread pool (several at
 * once; kept as is when that saved too little) and sealed, written in
 * order, then the end record.
 *
 * @example
 * const parts: Buffer[] = [];
 * await encodeObject({ kind: "segment", generation, seq: 4, meta, compression: "deflate", key,
 *   source: frames, write: (b) => { parts.push(b); } });
 */
export async function encodeObject<M>(options: EncodeObjectOptions<M>): Promise<EncodedSize> {
  const seal = ObjectSeal.forWriting(
    {
      format: 2,
      kind: options.kind,
      generation: options.generation,
      seq: options.seq,
      compression: options.compression,
      chunkBytes: CHUNK_BYTES,
      meta: options.meta,
    },
    options.key,
  );
  const parallel = Math.max(1, options.parallel ?? 4);
  let storedBytes = seal.headerBytes.length;
  let plainBytes = 0;
  await options.write(seal.headerBytes);
  const inFlight: Promise<Buffer>[] = [];
  let index = 0;
  const flushOne = async () => {
    const record = await (inFlight.shift() as Promise<Buffer>);
    storedBytes += record.length;
    await options.write(record);
  };
  try {
    for await (const plain of rechunk(options.source, CHUNK_BYTES)) {
      const at = index++;
      plainBytes += plain.length;
      const sealed = (stored: Buffer) =>
        options.compression !== "none" && stored.length > plain.length * (1 - WORTH_COMPRESSING)
          ? seal.record(at, plain, plain.length, true)
          : seal.record(at, stored, plain.length);
      const record = options.inline
        ? new Promise<Buffer>((done) => setImmediate(done, sealed(compressChunkSync(options.compression, plain))))
        : compressChunk(options.compression, plain).then(sealed);
      // Awaited in order below; marked handled now so an early failure is not reported as unhandled meanwhile.
      record.catch(() => undefined);
      inFlight.push(record);
      if (inFlight.length >= parallel) await flushOne();
    }
    while (inFlight.length > 0) await flushOne();
  } catch (error) {
    // Let the chunks still compressing settle, so none of them rejects with no one listening.
    await Promise.allSettled(inFlight);
    throw error;
  }
  const end = seal.end(index);
  storedBytes += end.length;
  await options.write(end);
  return { plainBytes, storedBytes };
}
