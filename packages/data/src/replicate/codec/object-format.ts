import { createCipheriv, createHash, randomBytes, webcrypto } from "node:crypto";
import { replicaError } from "../errors.js";
import type { ChunkOpening } from "./chunk-threads.js";
import type { ReplicaCompression } from "./compression.js";
import { objectKey, replicaKeyId } from "./replica-key.js";

/**
 * The container every replica object (snapshot or WAL segment) is stored
 * in, so that each one checks itself:
 *
 *     "NINESRP1" | header length (u32) | header (JSON)
 *     chunk*     | plain length (u32) | stored length (u32) | stored bytes | tag (16 bytes)
 *     end        | 0 | 0 | tag
 *
 * Each chunk holds up to `chunkBytes` of the payload, compressed on its own
 * (so chunks decompress in parallel) or, from format 2, kept as is when
 * compressing saved less than a sixteenth of it (pages of random or
 * already compressed data: a restore then copies them instead of running
 * them through the decompressor for nothing; the stored length's top bit,
 * {@link KEPT_AS_IS}, says which), and then sealed: with AES-256-GCM
 * under a key derived from the replica key and the object's random salt,
 * or, unencrypted, with the first 16 bytes of a SHA-256. Every tag covers
 * the header's digest, the chunk's index, its lengths and whether it is
 * the end, so a changed header, a chunk moved from elsewhere, a cut-off
 * object or a changed byte are all refused. The header is readable without
 * the key (it names the key by {@link keyId}), the payload is not.
 */
export const MAGIC = Buffer.from("NINESRP1", "latin1");

/** Plain bytes per chunk. */
export const CHUNK_BYTES = 1024 * 1024;

/** Headers larger than this are refused: a damaged length must not allocate gigabytes. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** What every object's header says; `meta` is the snapshot's or segment's own description. */
export interface ObjectHeader<M = unknown> {
  /** 2 since chunks may be kept as is ({@link KEPT_AS_IS}); 1 objects are still read. */
  format: 1 | 2;
  kind: "snapshot" | "segment";
  /** The generation (lineage) the object belongs to. */
  generation: string;
  /** A segment's number in its generation; a snapshot's: the first segment that applies after it. */
  seq: number;
  compression: ReplicaCompression;
  encryption: { scheme: "aes-256-gcm"; keyId: string; salt: string } | null;
  chunkBytes: number;
  meta: M;
}

/**
 * The stored length's top bit in a format 2 object: the chunk was not
 * compressed (the header's compression does not apply to it). Covered by
 * the tag like the rest of the lengths.
 */
export const KEPT_AS_IS = 0x8000_0000;

/** The stored length as a record writes it: with the {@link KEPT_AS_IS} mark when the chunk was not compressed. */
function storedField(storedBytes: number, keptAsIs: boolean): number {
  return keptAsIs ? storedBytes + KEPT_AS_IS : storedBytes;
}

/** Compressing must save at least this share of a chunk, or the chunk is kept as is. */
export const WORTH_COMPRESSING = 1 / 16;

/** Fields of a chunk record that precede its stored bytes. */
export const RECORD_HEAD_BYTES = 8;
export const TAG_BYTES = 16;

/** The header's bytes as stored (magic, length, JSON). */
export function encodeHeader(header: ObjectHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

function aad(digest: Buffer, index: number, final: boolean, plain: number, stored: number): Buffer {
  const bytes = Buffer.alloc(45);
  digest.copy(bytes, 0);
  bytes.writeUInt32BE(index, 32);
  bytes.writeUInt8(final ? 1 : 0, 36);
  bytes.writeUInt32BE(plain, 37);
  bytes.writeUInt32BE(stored, 41);
  return bytes;
}

function nonce(index: number): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(index, 8);
  return bytes;
}

function hashTag(data: Buffer, bytes: Buffer): Buffer {
  return createHash("sha256").update(data).update(bytes).digest().subarray(0, TAG_BYTES);
}

/**
 * Seals and opens the chunks of one object. Built from the header (a fresh
 * random salt when encrypting) on the writing side, or from a stored header
 * on the reading side, where the key is checked against the header's key id
 * first.
 *
 * @example
 * const seal = ObjectSeal.forWriting(header, key);
 * const record = seal.record(0, compressed, plain.length);
 */
export class ObjectSeal {
  readonly header: ObjectHeader;
  readonly headerBytes: Buffer;
  readonly #digest: Buffer;
  readonly #key: Buffer | undefined;
  #webKey: Promise<webcrypto.CryptoKey> | undefined;

  private constructor(header: ObjectHeader, headerBytes: Buffer, key: Buffer | undefined) {
    this.header = header;
    this.headerBytes = headerBytes;
    this.#digest = createHash("sha256").update(headerBytes).digest();
    this.#key = key;
  }

  /** A seal for a new object: `header` without its encryption field, which is filled in from `key`. */
  static forWriting(header: Omit<ObjectHeader, "encryption">, key: Uint8Array | undefined): ObjectSeal {
    const salt = key ? randomBytes(16) : undefined;
    const full: ObjectHeader = {
      ...header,
      encryption:
        key && salt ? { scheme: "aes-256-gcm", keyId: replicaKeyId(key), salt: salt.toString("base64") } : null,
    };
    return new ObjectSeal(full, encodeHeader(full), key && salt ? objectKey(key, salt) : undefined);
  }

  /**
   * A seal for a stored object, checking the key: an encrypted object with
   * no key or another key is refused here, naming the object.
   */
  static forReading(header: ObjectHeader, headerBytes: Buffer, key: Uint8Array | undefined, name: string): ObjectSeal {
    const encryption = header.encryption;
    if (!encryption) return new ObjectSeal(header, headerBytes, undefined);
    if (!key) {
      throw replicaError(
        "keyMissing",
        `${name} is encrypted (AES-256-GCM, key ${encryption.keyId}) and no key was given`,
        {
          hint: "give the replica's key: --key-file FILE or the NINES_REPLICA_KEY environment variable",
          details: { object: name, keyId: encryption.keyId },
        },
      );
    }
    if (replicaKeyId(key) !== encryption.keyId) {
      throw replicaError(
        "keyWrong",
        `${name} was encrypted with key ${encryption.keyId}, not with the key given (${replicaKeyId(key)})`,
        {
          hint: "give the key this replica was written with (key ids are printed by 'nines data replicate')",
          details: { object: name, keyId: encryption.keyId, given: replicaKeyId(key) },
        },
      );
    }
    return new ObjectSeal(header, headerBytes, objectKey(key, Buffer.from(encryption.salt, "base64")));
  }

  /**
   * The stored record of chunk `index`: lengths, sealed bytes, tag.
   * `keptAsIs`: `stored` is the plain chunk, not compressed (format 2).
   */
  record(index: number, stored: Buffer, plainBytes: number, keptAsIs = false): Buffer {
    const head = Buffer.alloc(RECORD_HEAD_BYTES);
    const field = storedField(stored.length, keptAsIs);
    head.writeUInt32BE(plainBytes, 0);
    head.writeUInt32BE(field, 4);
    const data = aad(this.#digest, index, false, plainBytes, field);
    if (this.#key) {
      const cipher = createCipheriv("aes-256-gcm", this.#key, nonce(index));
      cipher.setAAD(data);
      const sealed = Buffer.concat([cipher.update(stored), cipher.final()]);
      return Buffer.concat([head, sealed, cipher.getAuthTag()]);
    }
    return Buffer.concat([head, stored, hashTag(data, stored)]);
  }

  /** The end record after `count` chunks. */
  end(count: number): Buffer {
    const head = Buffer.alloc(RECORD_HEAD_BYTES);
    const data = aad(this.#digest, count, true, 0, 0);
    if (this.#key) {
      const cipher = createCipheriv("aes-256-gcm", this.#key, nonce(count));
      cipher.setAAD(data);
      cipher.final();
      return Buffer.concat([head, cipher.getAuthTag()]);
    }
    return Buffer.concat([head, hashTag(data, Buffer.alloc(0))]);
  }

  /**
   * What checking a record takes (scheme, key, nonce, authenticated data),
   * for a thread that opens it away from this object ({@link ChunkThreads}).
   */
  opening(index: number, final: boolean, plainBytes: number, storedBytes: number, keptAsIs = false): ChunkOpening {
    const data = aad(this.#digest, index, final, plainBytes, storedField(storedBytes, keptAsIs));
    return this.#key
      ? { scheme: "aes-256-gcm", key: this.#key, nonce: nonce(index), aad: data }
      : { scheme: "sha256", nonce: nonce(index), aad: data };
  }

  /**
   * Checks and opens a record's bytes; `undefined` when the tag does not
   * match. On libuv's thread pool (Web Crypto), so a restore checks and
   * decrypts several chunks at once, beside their decompression, and its
   * own thread only writes pages.
   */
  async open(
    index: number,
    final: boolean,
    plainBytes: number,
    sealed: Buffer,
    tag: Buffer,
    keptAsIs = false,
  ): Promise<Buffer | undefined> {
    const data = aad(this.#digest, index, final, plainBytes, storedField(sealed.length, keptAsIs));
    const subtle = webcrypto.subtle;
    if (this.#key) {
      this.#webKey ??= subtle.importKey("raw", this.#key, "AES-GCM", false, ["decrypt"]);
      try {
        const plain = await subtle.decrypt(
          { name: "AES-GCM", iv: nonce(index), additionalData: data, tagLength: TAG_BYTES * 8 },
          await this.#webKey,
          Buffer.concat([sealed, tag]),
        );
        return Buffer.from(plain);
      } catch {
        return undefined;
      }
    }
    const digest = Buffer.from(await subtle.digest("SHA-256", Buffer.concat([data, sealed])));
    return digest.subarray(0, TAG_BYTES).equals(tag) ? sealed : undefined;
  }
}
