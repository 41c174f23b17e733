/**
 * What a snapshot says about the database image it holds (its header's
 * `meta`): the page size and count, when it stood so, and the log position
 * it corresponds to, which the generation's segments continue from.
 *
 * @example
 * { pageSize: 4096, pages: 262144, at: 1795936500000, sqliteVersion: "3.50.2",
 *   wal: { salt1: 171047331, salt2: 2271361263, frame: 812, checksum: [3735928559, 4022250974] } }
 */
export interface SnapshotMeta {
  pageSize: number;
  pages: number;
  /** The database was exactly this at this time (epoch ms): no commit between the last one in it and then. */
  at: number;
  /** The log cycle and the frame the image includes; null when the log was empty (the file alone was the database). */
  wal: { salt1: number; salt2: number; frame: number; checksum: readonly [number, number] } | null;
}
