import { resolve } from "node:path";
import type { Listener, Unsubscribe } from "@nines/core";
import { WorkerReplicator } from "../worker/worker-replicator.js";
import { type ReplicateOptions, replicatorThread, resolveReplicateOptions } from "./replicate-options.js";
import { ReplicatorCore, type ReplicatorPosition } from "./replicator-core.js";
import type { ReplicatorEvents } from "./replicator-events.js";

/**
 * Continuous replication of one SQLite database to one or more targets
 * (see {@link replicate}, which starts one). It ships every committed
 * transaction within `intervalMs`, takes snapshots, keeps the lineage and
 * applies retention, until `stop()`. Its work runs in a worker thread
 * (`thread: "worker"`, the default), so the application's thread only
 * serves the targets; with an injected `clock` or `random`, or
 * `thread: "caller"`, it runs in the caller's thread.
 *
 * @example
 * const replicator = await replicate({ db: "app.db", targets: [openTarget("s3://replicas/app")] });
 * replicator.on("error", (e) => console.error(e.during, e.error));
 * await replicator.stop();
 */
export class Replicator {
  readonly db: string;
  /** Where the replicator's work runs: a worker thread, or the thread that started it. */
  readonly thread: "worker" | "caller";
  readonly #inner: ReplicatorCore | WorkerReplicator;

  private constructor(db: string, thread: "worker" | "caller", inner: ReplicatorCore | WorkerReplicator) {
    this.db = db;
    this.thread = thread;
    this.#inner = inner;
  }

  /** Opens the database, finds where the targets' replicas end and continues or starts a generation. */
  static async start(options: ReplicateOptions): Promise<Replicator> {
    const o = resolveReplicateOptions(options);
    const db = resolve(o.db);
    const thread = replicatorThread(options);
    if (thread === "caller") return new Replicator(db, thread, await ReplicatorCore.start({ ...options, db }));
    const { db: _db, targets: _targets, clock: _clock, random: _random, thread: _thread, ...rest } = options;
    return new Replicator(db, thread, await WorkerReplicator.start(db, rest, options.targets));
  }

  /** Listens to one kind of event; returns the function that stops listening. */
  on<K extends keyof ReplicatorEvents>(type: K, listener: Listener<ReplicatorEvents[K]>): Unsubscribe {
    return this.#inner.on(type, listener);
  }

  /** The current generation and the number of the next segment. */
  get position(): ReplicatorPosition {
    return this.#inner.position;
  }

  /**
   * Ships what is committed now and resolves once every target stores it
   * (and the generation's first snapshot): a point after which a restore
   * has every transaction committed before the call.
   */
  sync(): Promise<{ generation: string; seq: number }> {
    return this.#inner.sync();
  }

  /** Takes a snapshot now (after shipping what is committed) and resolves once it is queued. */
  snapshot(): Promise<void> {
    return this.#inner.snapshot();
  }

  /** Applies retention in every target now. */
  applyRetention(): Promise<void> {
    return this.#inner.applyRetention();
  }

  /**
   * Ships what is committed, waits (at most `timeoutMs`, default 30 s) for
   * every target to store everything, then releases the database (and ends
   * the worker). A target that could not catch up is
   * `NINES_REPLICA_STOPPED` naming it; the replicator is stopped either way.
   */
  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#inner.stop(options);
  }
}
