import { createHmac, hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { replicaError } from "../errors.js";

/** The environment variable a replica key is read from. */
export const REPLICA_KEY_ENV = "NINES_REPLICA_KEY";

/**
 * A 32-byte key from text or bytes: 64 hex digits, base64 of 32 bytes, or
 * exactly 32 raw bytes (a key file made with `head -c 32 /dev/urandom`).
 * Anything else is `NINES_REPLICA_KEY_INVALID`, naming where it came from.
 *
 * @example
 * parseReplicaKey("9f...64 hex digits...", REPLICA_KEY_ENV).length; // 32
 */
export function parseReplicaKey(value: Uint8Array | string, from: string): Buffer {
  if (typeof value !== "string" && value.length === 32) return Buffer.from(value);
  const text = (typeof value === "string" ? value : Buffer.from(value).toString("utf8")).trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const bytes = Buffer.from(text, "base64");
    if (bytes.length === 32) return bytes;
  }
  throw replicaError("keyInvalid", `the replica key in ${from} is not a 32-byte key`, {
    hint: "write 32 random bytes as 64 hex digits (openssl rand -hex 32) or base64 (openssl rand -base64 32)",
  });
}

/**
 * The replica key from a key file, else from `NINES_REPLICA_KEY` in `env`;
 * undefined when neither is given (no encryption). The key is only ever
 * held in memory: it is never written to a target.
 *
 * @example
 * const key = loadReplicaKey({ keyFile: "/etc/nines/replica.key" });
 * await replicate({ db: "app.db", targets, encryption: key ? { key } : undefined });
 */
export function loadReplicaKey(options: { keyFile?: string; env?: NodeJS.ProcessEnv } = {}): Buffer | undefined {
  if (options.keyFile !== undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(options.keyFile);
    } catch (error) {
      throw replicaError("keyInvalid", `cannot read the key file ${options.keyFile}: ${(error as Error).message}`, {
        hint: "check the path and its permissions (the file should be readable by this user only)",
        cause: error,
      });
    }
    return parseReplicaKey(bytes, `the key file ${options.keyFile}`);
  }
  const value = (options.env ?? process.env)[REPLICA_KEY_ENV];
  return value === undefined || value === "" ? undefined : parseReplicaKey(value, REPLICA_KEY_ENV);
}

/**
 * A short public name of a key (an HMAC of a fixed text under it), stored
 * in every encrypted object so a restore can tell "wrong key" from
 * "damaged data" without revealing anything about the key.
 *
 * @example
 * replicaKeyId(key); // "5c1f9a0b7e2d4c68"
 */
export function replicaKeyId(key: Uint8Array): string {
  return createHmac("sha256", key).update("nines replica key id").digest("hex").slice(0, 16);
}

/** The key of one object: derived from the replica key and the object's random salt, so nonces never repeat across objects. */
export function objectKey(key: Uint8Array, salt: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", key, salt, "nines replica object", 32));
}
