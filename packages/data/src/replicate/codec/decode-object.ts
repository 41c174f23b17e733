import { writeSync } from "node:fs";
import { replicaError } from "../errors.js";
import { ByteReader } from "./byte-reader.js";
import type { ChunkThreads, HeldPage } from "./chunk-threads.js";
import { COMPRESSIONS, decompressChunk } from "./compression.js";
import { FileReader } from "./file-reader.js";
import {
  KEPT_AS_IS,
  MAGIC,
  MAX_HEADER_BYTES,
  type ObjectHeader,
  ObjectSeal,
  RECORD_HEAD_BYTES,
  TAG_BYTES,
} from "./object-format.js";

/** A stored object whose header was read and checked; `chunks()` or `writeTo()` reads, checks and opens the payload. */
export interface OpenedObject<M> {
  header: ObjectHeader<M>;
  /** The payload's chunks, in order, each checked before it is handed out; ends only at a valid end record. */
  chunks(options?: { threads?: ChunkThreads | undefined }): AsyncGenerator<Buffer>;
  /**
   * Writes the payload into an open file from offset 0 (each chunk once
   * checked, several at once, in any order) and returns its length; a
   * payload longer than `maxBytes` is refused before anything past it is
   * written. Ends only at a valid end record.
   */
  writeTo(fd: number, options: WriteToOptions): Promise<number>;
  /** Stops reading (the rest of the object is not checked). */
  close(): Promise<void>;
}

function corrupt(name: string, what: string) {
  return replicaError("corrupt", `${name} ${what}`, {
    hint: "the object was damaged or altered after it was written; restore a point before it, or from another target",
    details: { object: name },
  });
}

function checkHeader(value: unknown, name: string): ObjectHeader {
  const h = value as Partial<ObjectHeader> | null;
  const encryption = h?.encryption;
  const ok =
    typeof h === "object" &&
    h !== null &&
    (h.format === 1 || h.format === 2) &&
    (h.kind === "snapshot" || h.kind === "segment") &&
    typeof h.generation === "string" &&
    Number.isSafeInteger(h.seq) &&
    (h.seq as number) >= 0 &&
    COMPRESSIONS.includes(h.compression as never) &&
    Number.isSafeInteger(h.chunkBytes) &&
    (h.chunkBytes as number) > 0 &&
    (h.chunkBytes as number) <= 64 * 1024 * 1024 &&
    typeof h.meta === "object" &&
    h.meta !== null &&
    (encryption === null ||
      (typeof encryption === "object" &&
        encryption?.scheme === "aes-256-gcm" &&
        typeof encryption.keyId === "string" &&
        typeof encryption.salt === "string"));
  if (!ok) throw corrupt(name, "has a header with missing or wrong fields");
  return h as ObjectHeader;
}

/** How {@link OpenedObject.writeTo} writes a payload. */
export interface WriteToOptions {
  /** A payload longer than this is refused. */
  maxBytes: number;
  onBytes?: (written: number) => void;
  threads?: ChunkThreads | undefined;
  /**
   * Newer versions of some pages of the payload (a database image), laid
   * over it as it is written: page `n` (1-based, ascending) at byte
   * `(n - 1) * pageSize`. Pages it did not lay over (past the payload's
   * end, or across two chunks) are pushed to `left`, for the caller to
   * write.
   */
  overlay?: { pageSize: number; pages: readonly HeldPage[]; left: HeldPage[] };
}

/**
 * Where an object's bytes come from: a stream (any target), or a local
 * file open in a {@link FileReader}, whose chunks the threads then read
 * themselves.
 */
export type ObjectSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | FileReader;

/** One record as read: its place, lengths, and the stored bytes followed by the tag (or where they are in the file). */
interface RecordRead {
  index: number;
  final: boolean;
  plainBytes: number;
  storedBytes: number;
  /** The chunk was stored uncompressed (format 2, {@link KEPT_AS_IS}). */
  keptAsIs: boolean;
  body: Buffer | { fd: number; offset: number };
}

/**
 * Opens a replica object from its stored bytes: reads and checks the
 * header (an encrypted object without the right key is refused here, naming
 * the object), then hands out the payload chunk by chunk, each checked
 * against its tag before use and decompressed several ahead: on the
 * {@link ChunkThreads} given to `chunks()` or `writeTo()` (tags,
 * decryption, decompression and writes on every core), on libuv's thread
 * pool otherwise. A cut-off object, a
 * changed byte or a chunk from elsewhere is `NINES_REPLICA_CORRUPT` naming
 * the object: nothing unchecked is ever handed out or written.
 *
 * @example
 * const object = await openObject(await target.get(key), { key: replicaKey, name: key });
 * for await (const chunk of object.chunks()) file.write(chunk);
 */
export async function openObject<M>(
  source: ObjectSource,
  options: { key?: Uint8Array | undefined; name: string; parallel?: number },
): Promise<OpenedObject<M>> {
  const { name } = options;
  const reader = source instanceof FileReader ? source : new ByteReader(source);
  const head = await reader.take(MAGIC.length + 4);
  if (head.length < MAGIC.length + 4 || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
    await reader.close();
    throw corrupt(name, head.length === 0 ? "is empty" : "is not a nines replica object");
  }
  const length = head.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER_BYTES) throw corrupt(name, "has a header length that cannot be right");
  const json = await reader.take(length);
  if (json.length < length) throw corrupt(name, "is truncated (it ends inside its header)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString("utf8"));
  } catch {
    throw corrupt(name, "has a header that is not valid JSON");
  }
  const header = checkHeader(parsed, name) as ObjectHeader<M>;
  const seal = ObjectSeal.forReading(header as ObjectHeader, Buffer.concat([head, json]), options.key, name);
  const inFlightMax = (threads: ChunkThreads | undefined) =>
    Math.max(1, options.parallel ?? (threads ? threads.size * 2 + 2 : 4));
  const maxStored = header.chunkBytes * 2 + 4096;
  let index = 0;

  /** The next record, its lengths checked; a cut-off object is refused here. */
  async function nextRecord(threads?: ChunkThreads): Promise<RecordRead> {
    const record = await reader.take(RECORD_HEAD_BYTES);
    if (record.length < RECORD_HEAD_BYTES) throw corrupt(name, "is truncated (it ends before its last chunk)");
    const plainBytes = record.readUInt32BE(0);
    const storedField = record.readUInt32BE(4);
    const keptAsIs = header.format >= 2 && storedField >= KEPT_AS_IS;
    const storedBytes = keptAsIs ? storedField - KEPT_AS_IS : storedField;
    if (plainBytes > header.chunkBytes || storedBytes > maxStored || (keptAsIs && storedBytes !== plainBytes)) {
      throw corrupt(name, `has a chunk ${index} with impossible lengths`);
    }
    const final = plainBytes === 0 && storedField === 0;
    if (threads && reader instanceof FileReader) {
      // The thread reads the chunk from the file itself.
      const offset = reader.reserve(storedBytes + TAG_BYTES);
      if (offset === undefined) throw corrupt(name, "is truncated (it ends inside a chunk)");
      return { index: index++, final, plainBytes, storedBytes, keptAsIs, body: { fd: reader.fd, offset } };
    }
    const body = await reader.take(storedBytes + TAG_BYTES);
    if (body.length < storedBytes + TAG_BYTES) throw corrupt(name, "is truncated (it ends inside a chunk)");
    return { index: index++, final, plainBytes, storedBytes, keptAsIs, body };
  }

  function refused(r: RecordRead, reason: "tag" | "data", message: string): Error {
    if (reason === "tag") {
      return corrupt(name, r.final ? "has an end record that fails its check" : `fails the check of chunk ${r.index}`);
    }
    return corrupt(name, `has a chunk ${r.index} that does not decompress: ${message}`);
  }

  /** Checks, opens and decompresses one record (written at `writeAt` when given, then nothing is returned). */
  async function openRecord(
    r: RecordRead,
    threads: ChunkThreads | undefined,
    writeAt?: { fd: number; offset: number },
    patch?: { pageSize: number; pages: [at: number, bytes: Buffer][] },
  ): Promise<Buffer | undefined> {
    if (threads) {
      const outcome = await threads.run({
        opening: seal.opening(r.index, r.final, r.plainBytes, r.storedBytes, r.keptAsIs),
        compression: r.final || r.keptAsIs ? "none" : header.compression,
        plainBytes: r.plainBytes,
        storedBytes: r.storedBytes,
        body: r.body,
        ...(writeAt && !r.final ? { writeAt } : {}),
        ...(patch ? { patch } : {}),
      });
      if (!outcome.ok) {
        if (outcome.reason === "write") throw new Error(`writing ${name} failed: ${outcome.message}`);
        if (outcome.reason === "read") throw corrupt(name, "is truncated (it ends inside a chunk)");
        throw refused(r, outcome.reason, outcome.message);
      }
      return outcome.plain;
    }
    if (!Buffer.isBuffer(r.body)) throw new Error("a chunk left in its file needs threads to read it");
    const opened = await seal.open(
      r.index,
      r.final,
      r.plainBytes,
      r.body.subarray(0, r.storedBytes),
      r.body.subarray(r.storedBytes),
      r.keptAsIs,
    );
    if (opened === undefined) throw refused(r, "tag", "");
    if (r.final) return undefined;
    const compression = r.keptAsIs ? "none" : header.compression;
    let plain = await decompressChunk(compression, opened, r.plainBytes).catch((error: unknown) => {
      throw refused(r, "data", (error as Error).message);
    });
    // Bytes not decompressed may be the caller's own (a source of Buffers): pages are laid over a copy.
    if (patch && plain === opened) plain = Buffer.from(plain);
    if (patch) for (const [at, bytes] of patch.pages) bytes.copy(plain, at, 0, patch.pageSize);
    if (writeAt) {
      // Synchronous: a copy into the page cache, and it leaves the thread pool to decompression.
      for (let done = 0; done < plain.length; ) {
        done += writeSync(writeAt.fd, plain, done, plain.length - done, writeAt.offset + done);
      }
      return undefined;
    }
    return plain;
  }

  /** After the end record: nothing may follow it. */
  async function finish(ending: Promise<unknown>): Promise<void> {
    await ending;
    if (!(await reader.atEnd())) throw corrupt(name, "has bytes after its end record");
  }

  async function* chunks(use: { threads?: ChunkThreads | undefined } = {}): AsyncGenerator<Buffer> {
    const { threads } = use;
    const parallel = inFlightMax(threads);
    const inFlight: Promise<Buffer | undefined>[] = [];
    try {
      for (;;) {
        const r = await nextRecord(threads);
        const opening = openRecord(r, threads);
        // Awaited in order below; marked handled now so an early failure is not reported as unhandled meanwhile.
        opening.catch(() => undefined);
        if (r.final) {
          // Chunks before it are handed out (and their failures reported) first.
          while (inFlight.length > 0) yield (await inFlight.shift()) as Buffer;
          await finish(opening);
          break;
        }
        inFlight.push(opening);
        if (inFlight.length >= parallel) yield (await inFlight.shift()) as Buffer;
      }
      while (inFlight.length > 0) yield (await inFlight.shift()) as Buffer;
    } finally {
      await Promise.allSettled(inFlight);
      await reader.close();
    }
  }

  async function writeTo(fd: number, to: WriteToOptions): Promise<number> {
    const { threads, overlay } = to;
    const parallel = inFlightMax(threads);
    let next = 0;
    /** The overlay's pages inside [offset, offset + bytes), by their offset there. */
    const patchFor = (offset: number, bytes: number) => {
      if (!overlay) return undefined;
      const { pageSize, pages } = overlay;
      while (next < pages.length && ((pages[next] as HeldPage)[0] - 1) * pageSize < offset) {
        overlay.left.push(pages[next++] as HeldPage);
      }
      const first = next;
      while (next < pages.length && (pages[next] as HeldPage)[0] * pageSize <= offset + bytes) next++;
      if (next === first) return undefined;
      const laid = pages.slice(first, next).map(([page, bytes]) => [(page - 1) * pageSize - offset, bytes]);
      return { pageSize, pages: laid as [number, Buffer][] };
    };
    const inFlight: Promise<unknown>[] = [];
    let offset = 0;
    let written = 0;
    const settleOne = async () => {
      await inFlight.shift();
    };
    try {
      for (;;) {
        const r = await nextRecord(threads);
        if (r.final) {
          const ending = openRecord(r, threads);
          ending.catch(() => undefined);
          while (inFlight.length > 0) await settleOne();
          await finish(ending);
          for (; overlay && next < overlay.pages.length; next++) overlay.left.push(overlay.pages[next] as HeldPage);
          return offset;
        }
        if (offset + r.plainBytes > to.maxBytes)
          throw corrupt(name, `holds more than the ${to.maxBytes} bytes its header says`);
        const writing = openRecord(r, threads, { fd, offset }, patchFor(offset, r.plainBytes)).then(() => {
          written += r.plainBytes;
          to.onBytes?.(written);
        });
        writing.catch(() => undefined);
        inFlight.push(writing);
        offset += r.plainBytes;
        if (inFlight.length >= parallel) await settleOne();
      }
    } finally {
      await Promise.allSettled(inFlight);
      await reader.close();
    }
  }

  return { header, chunks, writeTo, close: () => reader.close() };
}
