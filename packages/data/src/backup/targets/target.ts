import type { Readable } from "node:stream";
import type { StagingInfo } from "../staging/sweep-staging.js";

/** What to store: a file on this machine (streamed, never read whole) or a few bytes. */
export type TargetBody = { file: string } | { bytes: Uint8Array };

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
  /** Removes the object at `key`; removing a missing key is harmless. */
  delete(key: string): Promise<void>;
  /** Releases connections; the target is unusable afterwards. */
  close?(): Promise<void>;
  /** Temporary files of operations on this target (where it has any), and whether their writers still run. */
  listStaging?(): Promise<StagingInfo[]>;
  /** Removes what killed operations left (never what a live one writes); returns what it removed. */
  sweepStaging?(): Promise<StagingInfo[]>;
}
