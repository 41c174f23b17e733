/**
 * A stored object (no compression, no key) with its first two 1 MiB chunks
 * swapped: each chunk is whole and carries a good tag, but is out of place,
 * which a reader must refuse.
 *
 * @example
 * const swapped = swapFirstChunks(await encode(twoChunksAndABit, undefined, "none"));
 */
export function swapFirstChunks(stored: Buffer): Buffer {
  const headerEnd = 12 + stored.readUInt32BE(8);
  // A chunk's record: its lengths (8 bytes), 1 MiB of payload and a 16-byte tag.
  const record = 8 + 1024 * 1024 + 16;
  return Buffer.concat([
    stored.subarray(0, headerEnd),
    stored.subarray(headerEnd + record, headerEnd + 2 * record),
    stored.subarray(headerEnd, headerEnd + record),
    stored.subarray(headerEnd + 2 * record),
  ]);
}
