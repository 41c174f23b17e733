import { open, rm } from "node:fs/promises";
import type { TargetBody } from "../../backup/targets/target.js";
import { type EncodedSize, type EncodeObjectOptions, encodeObject } from "../codec/encode-object.js";

/** An encoded object ready to store, and how to free what holds it. */
export interface EncodedBody extends EncodedSize {
  body: TargetBody;
  /** Removes the staging file, if the object was written to one. */
  discard(): Promise<void>;
}

/**
 * Encodes an object into memory (`file` undefined: small segments) or into
 * a staging file, fsynced, since a local target hard-links it in place and
 * counts on its writer having made it durable.
 *
 * @example
 * const { body } = await encodeToBody({ kind: "segment", generation, seq, meta, compression, key, source: frames });
 */
export async function encodeToBody<M>(
  options: Omit<EncodeObjectOptions<M>, "write">,
  file?: string,
): Promise<EncodedBody> {
  if (file === undefined) {
    const parts: Buffer[] = [];
    const size = await encodeObject({ ...options, write: (bytes) => void parts.push(bytes) });
    return { ...size, body: { bytes: Buffer.concat(parts) }, discard: async () => undefined };
  }
  const handle = await open(file, "wx");
  try {
    const size = await encodeObject({
      ...options,
      write: async (bytes) => {
        await handle.write(bytes);
      },
    });
    await handle.sync();
    return { ...size, body: { file }, discard: () => rm(file, { force: true }) };
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
}
