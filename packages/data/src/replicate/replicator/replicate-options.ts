import { type Clock, type Random, requireKnownOptions, requireOption, systemClock, systemRandom } from "@nines/core";
import type { BackupTarget } from "../../backup/targets/target.js";
import { COMPRESSIONS, type ReplicaCompression } from "../codec/compression.js";

/** How long replicas are kept. */
export interface ReplicaRetention {
  /** Every point in time this far back stays restorable (default 24 h); older snapshots and segments are removed. */
  windowMs?: number;
  /** How often retention runs (default 1 h). */
  intervalMs?: number;
}

/**
 * Options of {@link replicate}.
 *
 * @example
 * const options: ReplicateOptions = { db: "app.db", targets: [openTarget("s3://replicas/app")], intervalMs: 1000 };
 */
export interface ReplicateOptions {
  /** The SQLite database file; it is put in WAL mode (and stays so). */
  db: string;
  /** Where the replica is kept: every committed transaction goes to each one. */
  targets: readonly BackupTarget[];
  /** How often committed frames are shipped (default 1000 ms): the RPO, plus one upload. */
  intervalMs?: number;
  /** How often a new snapshot is taken (default 24 h): a restore replays at most this much of the log. */
  snapshotIntervalMs?: number;
  retention?: ReplicaRetention;
  /** `deflate` (default), `brotli` or `none`; see `compression.ts` for why. */
  compression?: ReplicaCompression;
  /** Client-side AES-256-GCM with this 32-byte key (see `loadReplicaKey`); the key is never written anywhere. */
  encryption?: { key: Uint8Array };
  /** Injected time; a clock other than the system's keeps the replicator in the caller's thread. */
  clock?: Clock;
  /** For generation ids; like `clock`, keeps the replicator in the caller's thread. */
  random?: Random;
  /**
   * Where the replicator's work (reading the log, checkpoints, snapshots,
   * compression, encryption) runs: `worker` (default: a worker thread, so
   * the application's thread only serves the targets) or `caller` (the
   * thread that called `replicate`; the default when `clock` or `random`
   * is given, as they cannot cross threads).
   */
  thread?: "worker" | "caller";
}

/** The options with their defaults filled in and checked. */
export interface ResolvedReplicateOptions {
  db: string;
  targets: readonly BackupTarget[];
  intervalMs: number;
  /** How often the log is looked at: commit times are at most this late. */
  observeMs: number;
  snapshotIntervalMs: number;
  retentionWindowMs: number;
  retentionIntervalMs: number;
  compression: ReplicaCompression;
  key: Uint8Array | undefined;
  clock: Clock;
  random: Random;
}

const KNOWN = [
  "db",
  "targets",
  "intervalMs",
  "snapshotIntervalMs",
  "retention",
  "compression",
  "encryption",
  "clock",
  "random",
  "thread",
];

const HOUR = 3_600_000;

/** True when a clock or random other than the system's is given: they cannot cross into a worker thread. */
function injectsTimeOrChance(options: ReplicateOptions): boolean {
  return (
    (options.clock !== undefined && options.clock !== systemClock) ||
    (options.random !== undefined && options.random !== systemRandom)
  );
}

/**
 * Where the replicator runs: `options.thread`, or by default a worker
 * thread unless a clock or random of the caller's is injected.
 *
 * @example
 * replicatorThread({ db: "app.db", targets }); // "worker"
 */
export function replicatorThread(options: ReplicateOptions): "worker" | "caller" {
  return options.thread ?? (injectsTimeOrChance(options) ? "caller" : "worker");
}

/** Fills in defaults and refuses bad values with `NINES_OPTION_INVALID` naming the option. */
export function resolveReplicateOptions(options: ReplicateOptions): ResolvedReplicateOptions {
  requireKnownOptions("replicate", options, KNOWN);
  requireOption(typeof options.db === "string" && options.db !== "", "replicate", "db", options.db, "a file path");
  requireOption(
    Array.isArray(options.targets) && options.targets.length > 0,
    "replicate",
    "targets",
    options.targets,
    "at least one target",
  );
  const intervalMs = options.intervalMs ?? 1000;
  requireOption(Number.isFinite(intervalMs) && intervalMs >= 10, "replicate", "intervalMs", intervalMs, ">= 10");
  const snapshotIntervalMs = options.snapshotIntervalMs ?? 24 * HOUR;
  requireOption(
    snapshotIntervalMs >= intervalMs,
    "replicate",
    "snapshotIntervalMs",
    snapshotIntervalMs,
    ">= intervalMs",
  );
  const retention = options.retention ?? {};
  requireKnownOptions("replicate retention", retention, ["windowMs", "intervalMs"]);
  const retentionWindowMs = retention.windowMs ?? 24 * HOUR;
  requireOption(retentionWindowMs > 0, "replicate", "retention.windowMs", retentionWindowMs, "> 0");
  const retentionIntervalMs = retention.intervalMs ?? HOUR;
  requireOption(retentionIntervalMs > 0, "replicate", "retention.intervalMs", retentionIntervalMs, "> 0");
  requireOption(
    options.thread === undefined || options.thread === "worker" || options.thread === "caller",
    "replicate",
    "thread",
    options.thread,
    "worker or caller",
  );
  requireOption(
    options.thread !== "worker" || !injectsTimeOrChance(options),
    "replicate",
    "thread",
    options.thread,
    "caller when a clock or random is given (they cannot cross threads)",
  );
  const compression = options.compression ?? "deflate";
  requireOption(COMPRESSIONS.includes(compression), "replicate", "compression", compression, COMPRESSIONS.join(", "));
  const key = options.encryption?.key;
  if (options.encryption) {
    requireKnownOptions("replicate encryption", options.encryption, ["key"]);
    requireOption(
      key instanceof Uint8Array && key.length === 32,
      "replicate",
      "encryption.key",
      "(hidden)",
      "32 bytes",
    );
  }
  return {
    db: options.db,
    targets: options.targets,
    intervalMs,
    observeMs: Math.min(100, intervalMs),
    snapshotIntervalMs,
    retentionWindowMs,
    retentionIntervalMs,
    compression,
    key,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
  };
}
