import type { ReplicateOptions } from "./replicator/replicate-options.js";
import { Replicator } from "./replicator/replicator.js";

/**
 * Starts continuous replication of a SQLite database, as a library call an
 * application makes beside its own database (or `nines data replicate`
 * does). The database is put in WAL mode; every committed transaction is
 * shipped to each target within `intervalMs` (default 1 s), as compressed
 * (and optionally encrypted) segments of the write-ahead log; a snapshot
 * starts each generation and is taken again every `snapshotIntervalMs`;
 * retention keeps every point of the last `retention.windowMs` restorable.
 * The replicator holds a read transaction so the application's checkpoints
 * never overwrite a frame it has not read, and checkpoints the log itself
 * (a writer waits only while it restarts the log: the `checkpoint` event's
 * `writeLockMs`); the application should turn its own auto-checkpoint off
 * meanwhile (`PRAGMA wal_autocheckpoint = 0`, see docs/replicate.md), or
 * each of its commits runs a checkpoint once the log holds 1,000 frames.
 * Its work runs in a worker thread (`thread: "worker"`, the default;
 * `"caller"`, or an injected `clock` or `random`, keeps it in the calling
 * thread), so the application's thread only relays calls, events and
 * target operations.
 * It resolves once the lineage is settled (continued or a new generation
 * started); the first snapshot is written in the background (`sync()`
 * waits for it).
 *
 * @example
 * const replicator = await replicate({ db: "app.db", targets: [openTarget("s3://replicas/app")] });
 * process.on("SIGTERM", () => void replicator.stop());
 * // later: await restoreReplica({ from: openTarget("s3://replicas/app"), at: "latest", to: "restored.db" });
 */
export async function replicate(options: ReplicateOptions): Promise<Replicator> {
  return await Replicator.start(options);
}
