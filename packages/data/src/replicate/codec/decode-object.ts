import { replicaError } from "../errors.js";
import { ByteReader } from "./byte-reader.js";
import { COMPRESSIONS, decompressChunk } from "./compression.js";
import {
  MAGIC,
  MAX_HEADER_BYTES,
  type ObjectHeader,
  ObjectSeal,
  RECORD_HEAD_BYTES,
  TAG_BYTES,
} from "./object-format.js";

/** A stored object whose header was read and checked; `chunks()` reads, checks and opens the payload. */
export interface OpenedObject<M> {
  header: ObjectHeader<M>;
  /** The payload's chunks, in order, each checked before it is handed out; ends only at a valid end record. */
  chunks(): AsyncGenerator<Buffer>;
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
    h.format === 1 &&
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

/**
 * Opens a replica object from its stored bytes: reads and checks the
 * header (an encrypted object without the right key is refused here, naming
 * the object), then hands out the payload chunk by chunk, each checked
 * against its tag before use and decompressed on the thread pool, several
 * ahead. A cut-off object, a changed byte or a chunk from elsewhere is
 * `NINES_REPLICA_CORRUPT` naming the object: nothing unchecked is ever
 * handed out.
 *
 * @example
 * const object = await openObject(await target.get(key), { key: replicaKey, name: key });
 * for await (const chunk of object.chunks()) file.write(chunk);
 */
export async function openObject<M>(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { key?: Uint8Array | undefined; name: string; parallel?: number },
): Promise<OpenedObject<M>> {
  const { name } = options;
  const reader = new ByteReader(source);
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
  const parallel = Math.max(1, options.parallel ?? 4);
  const maxStored = header.chunkBytes * 2 + 4096;

  async function* chunks(): AsyncGenerator<Buffer> {
    const inFlight: Promise<Buffer>[] = [];
    let index = 0;
    try {
      for (;;) {
        const record = await reader.take(RECORD_HEAD_BYTES);
        if (record.length < RECORD_HEAD_BYTES) throw corrupt(name, "is truncated (it ends before its last chunk)");
        const plainBytes = record.readUInt32BE(0);
        const storedBytes = record.readUInt32BE(4);
        if (plainBytes > header.chunkBytes || storedBytes > maxStored) {
          throw corrupt(name, `has a chunk ${index} with impossible lengths`);
        }
        const body = await reader.take(storedBytes + TAG_BYTES);
        if (body.length < storedBytes + TAG_BYTES) throw corrupt(name, "is truncated (it ends inside a chunk)");
        const final = plainBytes === 0 && storedBytes === 0;
        const at = index++;
        // Checked (and decrypted) on the thread pool, then decompressed there: several chunks at once.
        const opening = seal
          .open(at, final, plainBytes, body.subarray(0, storedBytes), body.subarray(storedBytes))
          .then((opened) => {
            if (opened === undefined) {
              throw corrupt(name, final ? "has an end record that fails its check" : `fails the check of chunk ${at}`);
            }
            return opened;
          });
        if (final) {
          // Chunks before it are handed out (and their failures reported) first.
          opening.catch(() => undefined);
          while (inFlight.length > 0) yield await (inFlight.shift() as Promise<Buffer>);
          await opening;
          if (!(await reader.atEnd())) throw corrupt(name, "has bytes after its end record");
          break;
        }
        const plain = opening.then((opened) =>
          decompressChunk(header.compression, opened, plainBytes).catch((error: unknown) => {
            throw corrupt(name, `has a chunk ${at} that does not decompress: ${(error as Error).message}`);
          }),
        );
        // Awaited in order below; marked handled now so an early failure is not reported as unhandled meanwhile.
        plain.catch(() => undefined);
        inFlight.push(plain);
        if (inFlight.length >= parallel) yield await (inFlight.shift() as Promise<Buffer>);
      }
      while (inFlight.length > 0) yield await (inFlight.shift() as Promise<Buffer>);
    } finally {
      await Promise.allSettled(inFlight);
      await reader.close();
    }
  }

  return { header, chunks, close: () => reader.close() };
}
