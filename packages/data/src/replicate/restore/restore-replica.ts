import { open, rmdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  type Clock,
  isNinesError,
  type OnProgress,
  requireKnownOptions,
  requireOption,
  systemClock,
} from "@nines/core";
import { BACKUP_ERRORS, backupError } from "../../backup/errors.js";
import { prepareFolder, unwritableFolder } from "../../backup/fs-errors.js";
import { bytesProgress, noteProgress } from "../../backup/progress.js";
import { StagingArea } from "../../backup/staging/staging-area.js";
import { type StagingInfo, sweepStaging } from "../../backup/staging/sweep-staging.js";
import { LocalDirTarget } from "../../backup/targets/local-dir-target.js";
import type { BackupTarget } from "../../backup/targets/target.js";
import { checkRestored, RESTORE_CHECKS, type RestoreCheck } from "../../dialect/sqlite/check-restored.js";
import { SqliteDialect } from "../../dialect/sqlite/sqlite-dialect.js";
import { ChunkThreads, type HeldPage } from "../codec/chunk-threads.js";
import { type OpenedObject, openObject } from "../codec/decode-object.js";
import { FileReader } from "../codec/file-reader.js";
import { replicaError } from "../errors.js";
import { listReplica, type ReplicaObjectRef } from "../layout/replica-catalog.js";
import type { SegmentMeta } from "../replicator/segment-builder.js";
import type { SnapshotMeta } from "../replicator/snapshot-meta.js";
import { applySegment, type ChainPosition } from "./apply-segment.js";
import { chooseRestorePoint } from "./choose-restore-point.js";
import { HeldPages } from "./held-pages.js";

/** From this size on, a snapshot is checked and written by worker threads (below, starting them costs more). */
const THREADS_FROM_BYTES = 16 * 1024 * 1024;

export interface RestoreReplicaOptions {
  /** The replica location. */
  from: BackupTarget;
  /** A new SQLite file. */
  to: string;
  /** The point to restore: the last commit at or before this time; `"latest"` (default) for the newest one. */
  at?: Date | number | "latest";
  /** The replica key, when it is encrypted. */
  key?: Uint8Array | undefined;
  /** Replace an existing file at `to` (stop its writers first). */
  force?: boolean;
  /**
   * SQLite's check of the restored database before it is renamed to `to`:
   * `integrity` (`PRAGMA integrity_check`, the default) or `quick`
   * (`PRAGMA quick_check`: no index matched to its rows, about three times
   * as fast). Rows are counted either way.
   */
  check?: RestoreCheck;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** What {@link restoreReplica} restored. */
export interface RestoreReplicaResult {
  generation: string;
  /** The snapshot and the last segment read. */
  snapshot: string;
  lastSegment?: string;
  segments: number;
  /** Transactions replayed on top of the snapshot. */
  transactions: number;
  /** When the newest transaction restored was committed (as the replicator saw it), or the snapshot's time. */
  restoredAt: number;
  pages: number;
  sizeBytes: number;
  /** Rows per table of the restored database (every table was read to count them). */
  rowCounts: Record<string, number>;
  durationMs: number;
  /** What killed restores had left beside the destination, removed first. */
  removed: StagingInfo[];
}

/** The catalog name of an object, for messages: `segment 41 (generations/.../0000000041-....segment in /replicas/a)`. */
function nameOf(kind: string, ref: ReplicaObjectRef, location: string): string {
  return `${kind} ${ref.seq} (${ref.key} in ${location})`;
}

function disappeared(name: string, cause: unknown) {
  return replicaError("segmentMissing", `${name} disappeared while the restore read the replica`, {
    hint: "retention removed it meanwhile: the point asked for has left the retention window; restore a later point",
    cause,
  });
}

/** Opens a stored object: a local one in place (its chunks then read by the threads), any other as a stream. */
async function openRef<M>(from: BackupTarget, ref: ReplicaObjectRef, name: string, key: Uint8Array | undefined) {
  if (from instanceof LocalDirTarget) {
    const handle = await open(from.pathOf(ref.key), "r").catch((error: NodeJS.ErrnoException) => {
      throw error.code === "ENOENT" ? disappeared(name, error) : error;
    });
    const info = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    const reader = new FileReader(handle, info.size);
    try {
      if (!info.isFile()) throw disappeared(name, new Error(`${from.pathOf(ref.key)} is not a file`));
      return await openObject<M>(reader, { key, name });
    } catch (error) {
      await reader.close();
      throw error;
    }
  }
  let stream: AsyncIterable<Uint8Array>;
  try {
    stream = await from.get(ref.key);
  } catch (error) {
    if (isNinesError(error, BACKUP_ERRORS.notFound)) throw disappeared(name, error);
    throw error;
  }
  return await openObject<M>(stream, { key, name });
}

function checkIdentity(
  object: OpenedObject<unknown>,
  kind: string,
  generation: string,
  ref: ReplicaObjectRef,
  name: string,
) {
  const h = object.header;
  if (h.kind !== kind) throw replicaError("corrupt", `${name} holds a ${h.kind}, not a ${kind}`);
  if (h.generation !== generation) {
    throw replicaError("segmentForeign", `${name} belongs to generation ${h.generation}, not ${generation}`, {
      hint: "an object was copied from another replica; restore from another target",
      details: { object: name, generation: h.generation },
    });
  }
  if (h.seq !== ref.seq) {
    throw replicaError("segmentForeign", `${name} holds ${kind} ${h.seq}: it is out of place`, {
      hint: "an object was renamed or stored out of order; restore from another target",
      details: { object: name, seq: h.seq },
    });
  }
}

const KNOWN = ["from", "to", "at", "key", "force", "check", "clock", "onProgress"];

/**
 * Restores a replica to a new SQLite file as of a point in time: the last
 * commit at or before `at`, or the newest one. It reads the snapshot that
 * precedes the point, then replays each segment after it, checking as it
 * goes that every object is whole and unaltered (its tags), belongs to this
 * generation and follows the one before (no hole, no overlap, no object
 * from another history), and SQLite's own checksum of every frame; then
 * runs `PRAGMA integrity_check` (or `quick_check`) and counts the rows of every table. Only a
 * database that passed all of that is renamed to `to`; any failure is a
 * coded error naming the object, and leaves `to` as it was.
 *
 * @example
 * const result = await restoreReplica({ from: openTarget("s3://replicas/app"), to: "restored.db",
 *   at: new Date("2026-11-29T07:15:00Z"), key: loadReplicaKey() });
 * console.log(`restored to ${new Date(result.restoredAt).toISOString()}`);
 */
export async function restoreReplica(options: RestoreReplicaOptions): Promise<RestoreReplicaResult> {
  requireKnownOptions("restoreReplica", options, KNOWN);
  const at = options.at === undefined || options.at === "latest" ? "latest" : +options.at;
  requireOption(at === "latest" || Number.isFinite(at), "restoreReplica", "at", options.at, "a date or latest");
  const level = options.check ?? "integrity";
  requireOption(RESTORE_CHECKS.includes(level), "restoreReplica", "check", options.check, RESTORE_CHECKS.join(" or "));
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const to = resolve(options.to);
  const dialect = new SqliteDialect({ clock });
  if (!options.force && (await dialect.backup.exists(to))) {
    throw backupError("restoreExists", `${to} already exists; a restore never overwrites live data by default`, {
      hint: "restore to a new file, or pass --force to replace it (stop its writers first)",
    });
  }
  const plan = chooseRestorePoint(await listReplica(options.from), at);
  const location = options.from.location;
  const folder = dirname(to);
  const created = await prepareFolder(folder, "restore folder", { create: true });
  const removed = await sweepStaging(folder, clock.now());
  const area = await StagingArea.create(folder, { operation: "restore", clock }).catch((error: unknown) => {
    throw unwritableFolder(folder, "restore folder", error);
  });
  let restored = false;
  let threads: ChunkThreads | undefined;
  try {
    const file = area.path("restored.sqlite");
    const handle = await open(file, "wx");
    let chain: ChainPosition | null;
    let pages: number;
    let pageSize: number;
    let restoredAt: number;
    let transactions = 0;
    try {
      const snapName = nameOf("snapshot", plan.snapshot, location);
      const snapshot = await openRef<SnapshotMeta>(options.from, plan.snapshot, snapName, options.key);
      try {
        const meta = snapshot.header.meta;
        checkIdentity(snapshot, "snapshot", plan.generation, plan.snapshot, snapName);
        pageSize = meta.pageSize;
        pages = meta.pages;
        restoredAt = meta.at;
        const total = pages * pageSize;
        // Worker threads check, open and write the chunks (and the segments' chunks), on every core.
        if (total >= THREADS_FROM_BYTES) threads = ChunkThreads.start();
        /** Writes the snapshot with `newer` pages laid over it; returns those it did not cover. */
        const writeSnapshot = async (newer: HeldPage[]): Promise<HeldPage[]> => {
          const overlay = { pageSize, pages: newer, left: [] as HeldPage[] };
          options.onProgress?.(bytesProgress("download", 0, total, snapName));
          const written = await snapshot.writeTo(handle.fd, {
            maxBytes: total,
            threads,
            overlay,
            onBytes: (done) => options.onProgress?.(bytesProgress("download", done, total)),
          });
          if (written !== total)
            throw replicaError("corrupt", `${snapName} holds ${written} bytes, its header says ${total}`);
          return overlay.left;
        };
        // From a local folder the segments are read first, and the snapshot is written once with the newest
        // pages laid over it (no page written twice); a stream is read at once, before its connection idles.
        const local = options.from instanceof LocalDirTarget;
        if (!local) await writeSnapshot([]);
        const held = new HeldPages(handle.fd, pageSize, { threads, ...(local ? { base: writeSnapshot } : {}) });
        chain = meta.wal;
        for (const ref of plan.segments) {
          const name = nameOf("segment", ref, location);
          options.onProgress?.(noteProgress("replay", name));
          const segment = await openRef<SegmentMeta>(options.from, ref, name, options.key);
          let applied: Awaited<ReturnType<typeof applySegment>>;
          try {
            checkIdentity(segment, "segment", plan.generation, ref, name);
            applied = await applySegment(segment, {
              held,
              position: chain,
              pageSize,
              until: plan.until,
              name,
              threads,
            });
          } finally {
            await segment.close();
          }
          chain = applied.position;
          if (applied.pages > 0) pages = applied.pages;
          transactions += applied.commits;
          if (applied.lastCommitAt !== undefined) restoredAt = applied.lastCommitAt;
        }
        await held.flush();
      } finally {
        await snapshot.close();
      }
      await handle.truncate(pages * pageSize);
    } catch (error) {
      await handle.close();
      throw error;
    } finally {
      await threads?.close();
    }
    // The one fsync runs on the thread pool while SQLite's check reads the same pages from the page cache.
    const synced = handle.sync().finally(() => handle.close());
    synced.catch(() => undefined);
    options.onProgress?.(
      noteProgress("check", `${level === "quick" ? "quick_check" : "integrity_check"} and row counts`),
    );
    const check = await checkRestored(file, level);
    options.onProgress?.(noteProgress("sync", "the end of the fsync, then the rename into place"));
    await synced;
    if (check.problems.length > 0) {
      throw replicaError(
        "corrupt",
        `the database restored from ${location} (generation ${plan.generation}) fails its checks: ${check.problems.join("; ")}`,
        { hint: "restore an earlier point, or from another target", details: { problems: check.problems } },
      );
    }
    await dialect.backup.restore({ file, location: to, ...(options.force ? { force: true } : {}) });
    restored = true;
    return {
      generation: plan.generation,
      snapshot: plan.snapshot.key,
      ...(plan.segments.length > 0 ? { lastSegment: (plan.segments.at(-1) as ReplicaObjectRef).key } : {}),
      segments: plan.segments.length,
      transactions,
      restoredAt,
      pages,
      sizeBytes: pages * pageSize,
      rowCounts: check.rowCounts,
      durationMs: clock.now() - started,
      removed,
    };
  } finally {
    await area.release();
    if (!restored && created) await rmdir(folder).catch(() => undefined);
  }
}
