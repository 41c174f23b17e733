import type { Readable } from "node:stream";
import type { StagingInfo } from "../staging/sweep-staging.js";

/** What to store: a file on this machine (streamed, never read whole) or a few bytes. */
export type TargetBody = { file: string } | { bytes: Uint8Array };

/**
 * An object as a listing with details sees it.
 *
 * @example
 * { key: "20261129T071500000Z-3fa2c1/data.sqlite", bytes: 612368384, modifiedAt: 1764400000000 }
 */
export interface ObjectInfo {
  key: string;
  bytes: number;
  /** When it was last written (epoch ms; a local file's change time, an S3 object's LastModified). */
  modifiedAt: number;
}

/**
 * A folder being written out of sight (see `BackupTarget.stageFolder`):
 * objects go in with `put`, and `commit` makes them all appear at once.
 *
 * @example
 * const folder = await target.stageFolder("20261129T071500000Z-3fa2c1");
 * try {
 *   await folder.put("data.sqlite", { file: "/tmp/snapshot.sqlite" });
 *   await folder.put("manifest.json", { bytes });
 *   await folder.commit();
 * } finally {
 *   await folder.release();
 * }
 */
export interface StagedFolder {
  /** Stores `body` as `name` (a plain file name) in the folder, out of sight. */
  put(name: string, body: TargetBody): Promise<void>;
  /** Makes the folder appear under its name with everything put in it. */
  commit(): Promise<void>;
  /** Removes what was staged and not committed; harmless after `commit`. */
  release(): Promise<void>;
}

/**
 * Where backups are kept: a local directory standing for another region, an
 * S3-compatible bucket, ... Keys are relative `/`-separated paths checked by
 * `checkKey`, so no implementation can be talked into writing outside its
 * folder. `put` is atomic: a reader sees the old object or the whole new
 * one, never a half-written file.
 *
 * @example
 * const target: BackupTarget = new LocalDirTarget("/backups/region-b");
 * await target.put("20261129T071500Z-ab12cd/manifest.json", { bytes: new TextEncoder().encode("{}") });
 * await target.list("20261129T071500Z-ab12cd/"); // ["20261129T071500Z-ab12cd/manifest.json"]
 */
export interface BackupTarget {
  /** Where it points, for messages and manifests: `/backups/a` or `s3://bucket/prefix`. */
  readonly location: string;
  /** Stores `body` under `key`, atomically, replacing any object there. */
  put(key: string, body: TargetBody): Promise<void>;
  /** The object at `key` as a stream (large objects: backups are never held in memory). */
  get(key: string): Promise<Readable>;
  /** The object at `key` as bytes; for small objects such as manifests. */
  read(key: string): Promise<Uint8Array>;
  /**
   * Copies the object at `key` into the new local file `file`, for targets
   * that do it faster than a stream (a local folder: inside the kernel).
   * A missing object is `NINES_BACKUP_NOT_FOUND`.
   */
  download?(key: string, file: string): Promise<void>;
  /** Every key that starts with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Like `list`, with each object's size and time, for targets that can say (sizes of unfinished backups). */
  listObjects?(prefix?: string): Promise<ObjectInfo[]>;
  /**
   * A folder `prefix/` whose objects appear all at once on `commit`, for
   * targets that can rename (a local folder: written into a leased staging
   * folder, then one rename), so a killed writer leaves nothing under the
   * folder's name. Without it (S3), objects are put one by one and the last
   * one (a manifest) marks the folder complete.
   */
  stageFolder?(prefix: string): Promise<StagedFolder>;
  /** Removes the object at `key`; removing a missing key is harmless. */
  delete(key: string): Promise<void>;
  /** Releases connections; the target is unusable afterwards. */
  close?(): Promise<void>;
  /** Temporary files of operations on this target (where it has any), and whether their writers still run. */
  listStaging?(): Promise<StagingInfo[]>;
  /** Removes what killed operations left (never what a live one writes); returns what it removed. */
  sweepStaging?(): Promise<StagingInfo[]>;
}
