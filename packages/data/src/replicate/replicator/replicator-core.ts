import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Events, type Listener, type Timer, type Unsubscribe } from "@nines/core";
import { backupId } from "../../backup/manifest.js";
import { StagingArea } from "../../backup/staging/staging-area.js";
import { sweepStaging } from "../../backup/staging/sweep-staging.js";
import { replicaKeyId } from "../codec/replica-key.js";
import { replicaError } from "../errors.js";
import type { GenerationInfo } from "../layout/replica-catalog.js";
import { generationKey, segmentKey, snapshotKey } from "../layout/replica-keys.js";
import { applyReplicaRetention } from "../retention/apply-replica-retention.js";
import { WalFollower } from "../wal/wal-follower.js";
import { parseWalHeader, WAL_HEADER_BYTES, type WalHeader } from "../wal/wal-format.js";
import { WalGuard } from "../wal/wal-guard.js";
import type { WalCommit, WalPosition } from "../wal/wal-scan.js";
import { encodeToBody } from "./encode-to-body.js";
import { findReplicaEnd } from "./find-replica-end.js";
import { ReplicaTargets } from "./replica-targets.js";
import { type ReplicateOptions, type ResolvedReplicateOptions, resolveReplicateOptions } from "./replicate-options.js";
import type { ReplicatorEvents } from "./replicator-events.js";
import { type PendingSegment, SegmentBuilder } from "./segment-builder.js";
import { type SnapshotSource, snapshotImage, snapshotPoint } from "./snapshot-image.js";
import type { SnapshotMeta } from "./snapshot-meta.js";
import { keepingAlive, Serial, untilDeadline } from "./waits.js";

/** The log is checkpointed (and restarted) once it holds this many frames, as SQLite's own auto-checkpoint does. */
const CHECKPOINT_FRAMES = 1000;
/**
 * Under the write lock, the log is read at most this far: writers wait a
 * few milliseconds at most. A longer tail is read without the lock and the
 * restart waits for a later look: a writer faster than the replicator can
 * read makes the log grow until it slows down, rather than wait for the
 * replicator (64 MiB held writers for up to 900 ms under a writer at full
 * speed).
 */
const RESTART_BUDGET_BYTES = 4 * 1024 * 1024;
/**
 * Before a restart takes the write lock, the log is copied into the
 * database until at most this many frames are left (or COPY_ROUNDS copies
 * were made): what is left is copied while writers wait.
 */
const RESTART_TAIL_FRAMES = 256;
const COPY_ROUNDS = 4;
/**
 * Segments larger than this are encoded into a staging file rather than
 * memory, and so is every segment while the targets' upload backlog
 * exceeds BACKLOG_BYTES (a slow or unreachable target).
 */
const IN_MEMORY_BYTES = 64 * 1024 * 1024;
/**
 * Frames read are cut into a segment as soon as they reach this, without
 * waiting for the interval: a fast writer's segments then stay in memory
 * rather than going through a spill file and a staging file.
 */
const SEGMENT_BYTES = 16 * 1024 * 1024;
/** A look reads the log in steps of this much (more than a held transaction's 16 MiB, so each step moves on). */
const STEP_BYTES = 32 * 1024 * 1024;
/** A look reads at most this much: a replicator far behind catches up over a few ticks. */
const LOOK_BYTES = 256 * 1024 * 1024;
/**
 * Segments cut and held in memory until encoded, past which new frames go
 * to spill files: a writer faster than compression never fills memory, and
 * the log is still read (and so restarted) as often.
 */
const BACKLOG_BYTES = 64 * 1024 * 1024;
/**
 * After the replicator lets the log restart, it looks this often (for at
 * most a second) until its read transaction holds frames of the new cycle:
 * until then nothing stops a busy writer's own checkpoint from copying that
 * cycle and restarting the log again over frames not yet read, which would
 * start a new generation.
 */
const REPIN_MS = 2;
const REPIN_FOR_MS = 1000;
/** A failed periodic snapshot is tried again after this long. */
const SNAPSHOT_RETRY_MS = 60_000;

/** How the thread running a core wants it to behave. */
export interface CoreHooks {
  /** Told whenever the position changes. */
  onPosition?: (position: ReplicatorPosition) => void;
  /** Compress in this thread rather than on the thread pool (a worker thread: one core at most). */
  inline?: boolean;
  /** How long a log restart may wait for SQLite's write lock (a thread of the replicator's own; see WalGuard). */
  lockWaitMs?: number;
}

/** Where the replicator stands: the generation and the number of its next segment. */
export interface ReplicatorPosition {
  generation: string;
  nextSeq: number;
}

/**
 * The replicator's work on the thread it runs in: it ships every committed
 * transaction within `intervalMs`, takes snapshots, keeps the lineage and
 * applies retention, until `stop()`. The public `Replicator` runs one in a
 * worker thread (or, with an injected clock, in the caller's thread).
 *
 * @example
 * const core = await ReplicatorCore.start({ db: "app.db", targets: [openTarget("s3://replicas/app")] });
 * core.on("error", (e) => console.error(e.during, e.error));
 * await core.stop();
 */
export class ReplicatorCore {
  readonly db: string;
  readonly #o: ResolvedReplicateOptions;
  readonly #events = new Events<ReplicatorEvents>();
  readonly #targets: ReplicaTargets;
  readonly #staging: StagingArea;
  readonly #builder: SegmentBuilder;
  #guard: WalGuard;
  #follower: WalFollower;
  #inode: number;
  #generation = { id: "", nextSeq: 0 };
  #gapsSeen = 0;
  #heldAfterObserve = false;
  #broken: string | undefined;
  #lastCutAt = 0;
  #lastSnapshotAt = 0;
  #lastRetentionAt = 0;
  #snapshot: Promise<void> | undefined;
  #retention: Promise<void> | undefined;
  #timer: Timer | undefined;
  readonly #serial = new Serial();
  /** Encodes and queues segments, in order, behind the loop. */
  readonly #encoder = new Serial();
  /** Generations in which a segment could not be written. */
  readonly #failed = new Set<string>();
  #stopping = false;
  #closed = false;
  #files = 0;
  /** The log cycle and frame at which a restart checkpoint last copied everything: nothing to do until it moves. */
  #restartedAt = "";
  /** Bytes of segments cut, held in memory and not yet encoded (see BACKLOG_BYTES). */
  #encoding = 0;
  /** After a restart: the salt of the cycle that ended and until when to look often (see REPIN_MS). */
  #repin: { salt1: number | undefined; until: number } | undefined;

  /** Told whenever the position changes (a worker passes it on to the caller's thread). */
  readonly #onPosition: (position: ReplicatorPosition) => void;
  readonly #inline: boolean;
  readonly #lockWaitMs: number;

  private constructor(o: ResolvedReplicateOptions, guard: WalGuard, staging: StagingArea, hooks: CoreHooks) {
    this.#o = o;
    this.#onPosition = hooks.onPosition ?? (() => undefined);
    this.#inline = hooks.inline ?? false;
    this.#lockWaitMs = hooks.lockWaitMs ?? 0;
    this.db = o.db;
    this.#guard = guard;
    this.#staging = staging;
    this.#follower = new WalFollower(`${o.db}-wal`);
    this.#inode = statSync(o.db).ino;
    this.#builder = new SegmentBuilder(() => staging.path(`spill-${this.#files++}`));
    this.#targets = new ReplicaTargets(o.targets, { clock: o.clock, events: this.#events });
  }

  /** Opens the database, finds where the targets' replicas end and continues or starts a generation. */
  static async start(options: ReplicateOptions, hooks: CoreHooks = {}): Promise<ReplicatorCore> {
    const o = resolveReplicateOptions(options);
    o.db = resolve(o.db);
    const guard = WalGuard.open(o.db, { lockWaitMs: hooks.lockWaitMs ?? 0 });
    let staging: StagingArea | undefined;
    try {
      await sweepStaging(dirname(o.db), o.clock.now());
      staging = await StagingArea.create(dirname(o.db), { operation: "replicate", clock: o.clock });
      const replicator = new ReplicatorCore(o, guard, staging, hooks);
      await replicator.#begin();
      return replicator;
    } catch (error) {
      guard.close();
      await staging?.release();
      throw error;
    }
  }

  /** Listens to one kind of event; returns the function that stops listening. */
  on<K extends keyof ReplicatorEvents>(type: K, listener: Listener<ReplicatorEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** The current generation and the number of the next segment. */
  get position(): ReplicatorPosition {
    return { generation: this.#generation.id, nextSeq: this.#generation.nextSeq };
  }

  /**
   * Ships what is committed now and resolves once every target stores it
   * (and the generation's first snapshot): a point after which a restore
   * has every transaction committed before the call.
   */
  async sync(): Promise<{ generation: string; seq: number }> {
    this.#checkOpen();
    await this.#serial.run(async () => {
      this.#checkOpen();
      await this.#step(true);
    });
    const { id, nextSeq } = this.#generation;
    await keepingAlive(this.#o.clock, this.#targets.storedEverywhere(id, nextSeq - 1));
    return { generation: id, seq: nextSeq - 1 };
  }

  /** Takes a snapshot now (after shipping what is committed) and resolves once it is queued. */
  async snapshot(): Promise<void> {
    this.#checkOpen();
    await this.#serial.run(async () => {
      await this.#snapshot;
      await this.#step(true);
      this.#beginSnapshot(false);
    });
    await this.#snapshot;
  }

  /** Applies retention in every target now. */
  async applyRetention(): Promise<void> {
    this.#checkOpen();
    await this.#retention;
    this.#retention = this.#runRetention();
    await this.#retention;
  }

  /**
   * Ships what is committed, waits (at most `timeoutMs`, default 30 s) for
   * every target to store everything, then releases the database. A target
   * that could not catch up is `NINES_REPLICA_STOPPED` naming it; the
   * replicator is stopped either way.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed || this.#stopping) return;
    this.#stopping = true;
    this.#timer?.cancel();
    const deadline = this.#o.clock.now() + (options.timeoutMs ?? 30_000);
    let behind: string[] = [];
    try {
      await this.#serial.run(() => this.#step(true));
      const drained = async () => {
        await untilDeadline(
          this.#o.clock,
          deadline,
          this.#encoder.run(async () => undefined),
        );
        await untilDeadline(this.#o.clock, deadline, this.#snapshot ?? Promise.resolve());
        await untilDeadline(this.#o.clock, deadline, this.#retention ?? Promise.resolve());
        await untilDeadline(this.#o.clock, deadline, this.#targets.idle());
      };
      await keepingAlive(this.#o.clock, drained());
      behind = this.#targets.behind();
    } finally {
      await this.#close();
    }
    if (behind.length > 0) {
      throw replicaError("stopped", `the replicator stopped before ${behind.join(", ")} stored everything`, {
        hint: "check those targets (network, credentials, space); the next start ships what is still in the log",
        details: { behind },
      });
    }
  }

  async #begin(): Promise<void> {
    for (let i = 0; i < 50 && !this.#guard.holding; i++) {
      await new Promise<void>((done) => this.#o.clock.schedule(20, done));
      this.#guard.beginRead();
    }
    const { end, reason } = await findReplicaEnd(this.#o.targets, this.#o.key);
    if (end) {
      const started = this.#follower.start(end.resume);
      this.#afterObserve();
      if (started.ok) {
        this.#generation = { id: end.generation, nextSeq: end.nextSeq };
        this.#onPosition(this.position);
        this.#targets.holdsAlready(end.generation, end.nextSeq - 1);
        this.#startBuilder();
        this.#lastSnapshotAt = end.snapshotAt;
        this.#lastCutAt = this.#o.clock.now();
        this.#events.emit("generation", {
          generation: end.generation,
          reason: `every target ends at segment ${end.nextSeq - 1} and the log still holds it`,
          continued: true,
          at: this.#o.clock.now(),
        });
        this.#schedule();
        return;
      }
      this.#startGeneration(`cannot continue generation ${end.generation}: ${started.reason}`, end.generation);
    } else {
      this.#startGeneration(reason);
    }
    this.#schedule();
  }

  /** Starts a new lineage: the log as it is now, a snapshot of the database at that point, segments from there. */
  #startGeneration(reason: string, previous?: string): void {
    for (const dropped of this.#builder.discard()) void this.#dropPending(dropped.frames);
    this.#follower.start();
    this.#afterObserve();
    const now = this.#o.clock.now();
    const id = backupId(now, this.#o.random);
    this.#generation = { id, nextSeq: 0 };
    this.#onPosition(this.position);
    this.#startBuilder();
    const info: GenerationInfo = {
      format: 1,
      generation: id,
      createdAt: now,
      reason,
      source: this.db,
      pageSize: this.#guard.pageSize,
      keyId: this.#o.key ? replicaKeyId(this.#o.key) : null,
      ...(previous ? { previous } : {}),
    };
    const bytes = new TextEncoder().encode(`${JSON.stringify(info, null, 2)}\n`);
    this.#targets.push(
      "segments",
      { key: generationKey(id), kind: "generation", seq: -1 },
      {
        body: { bytes },
        plainBytes: bytes.length,
        storedBytes: bytes.length,
        discard: async () => undefined,
      },
    );
    this.#lastCutAt = now;
    // Whoever waits for the old lineage is served by the new one's first snapshot, which holds everything.
    this.#targets.moveWaiters(id);
    this.#events.emit("generation", { generation: id, reason, continued: false, at: now });
    this.#beginSnapshot(true);
  }

  #startBuilder(): void {
    const { header, headerBytes, position } = this.#follower;
    if (header) this.#builder.start(header, headerBytes, position);
  }

  /** One step of the loop: look at the log, cut and ship on the interval (or when `cut`), keep the log short. */
  async #step(cut: boolean): Promise<void> {
    if (this.#inodeChanged()) this.#broken ??= "the database file was replaced";
    if (!this.#broken) this.#observe();
    const now = this.#o.clock.now();
    if (!this.#broken && (cut || now - this.#lastCutAt >= this.#o.intervalMs)) this.#cut();
    // Every look moves the read transaction forward, so checkpoints (the application's and ours) copy the log
    // into the database in small steps, as SQLite's own auto-checkpoint would.
    if (!this.#broken && !this.#snapshot && !this.#stopping) this.#maintain();
    if (this.#broken) await this.#restartLineage();
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    await this.#serial.run(async () => {
      if (this.#stopping) return;
      try {
        await this.#step(false);
        const now = this.#o.clock.now();
        if (!this.#snapshot && now - this.#lastSnapshotAt >= this.#o.snapshotIntervalMs) {
          this.#cut();
          this.#beginSnapshot(false);
        }
        if (!this.#retention && now - this.#lastRetentionAt >= this.#o.retentionIntervalMs) {
          this.#lastRetentionAt = now;
          this.#retention = this.#runRetention();
        }
      } catch (error) {
        this.#events.emit("error", { error, during: "observe" });
      }
    });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#repin && this.#o.clock.now() > this.#repin.until) this.#repin = undefined;
    const delay = this.#repin ? REPIN_MS : this.#o.observeMs;
    if (!this.#stopping && !this.#closed) this.#timer = this.#o.clock.schedule(delay, () => void this.#tick());
  }

  /**
   * Reads the log since the last look, in steps, cutting a segment whenever
   * 16 MiB are held; false when it stopped short (budget) or the lineage broke.
   */
  #observe(budgetBytes = LOOK_BYTES): boolean {
    const clock = this.#o.clock;
    const builder = this.#builder;
    const sink = {
      cycle: (header: WalHeader, bytes: Buffer) =>
        builder.start(header, bytes, { frame: 0, checksum: header.checksum }),
      frames: (bytes: Buffer, last: WalPosition) => builder.frames(bytes, last),
      commits: (commits: WalCommit[]) => builder.commits(commits, clock.now()),
    };
    for (let left = budgetBytes; ; left -= STEP_BYTES) {
      builder.spillAll = this.#encoding >= BACKLOG_BYTES;
      const continuous = this.#heldAfterObserve && this.#guard.gaps === this.#gapsSeen;
      const outcome = this.#follower.observe(sink, {
        continuous,
        budgetBytes: Math.max(Math.min(left, STEP_BYTES), 1),
      });
      this.#afterObserve();
      if (outcome.kind === "broken") {
        this.#broken ??= outcome.reason;
        return false;
      }
      if (builder.bytes >= SEGMENT_BYTES) this.#cut();
      if (!outcome.exhausted) return true;
      if (left <= STEP_BYTES) return false;
    }
  }

  #afterObserve(): void {
    this.#heldAfterObserve = this.#guard.holding;
    this.#gapsSeen = this.#guard.gaps;
  }

  /**
   * Cuts what was read into segments and numbers them; encoding and queueing
   * for the targets happen in order on their own chain, so the next look at
   * the log does not wait for compression.
   */
  #cut(): void {
    this.#lastCutAt = this.#o.clock.now();
    for (const pending of this.#builder.cut()) {
      const { id } = this.#generation;
      const seq = this.#generation.nextSeq++;
      this.#onPosition(this.position);
      const inMemory = Array.isArray(pending.frames) ? pending.bytes : 0;
      this.#encoding += inMemory;
      void this.#encoder.run(() => this.#ship(id, seq, pending));
    }
  }

  /** Encodes one segment and queues it for every target (on the encoder chain, in segment order). */
  async #ship(generation: string, seq: number, pending: PendingSegment): Promise<void> {
    const lastCommitAt = (pending.meta.commits.at(-1) as [number, number, number])[2];
    const key = segmentKey(generation, seq, lastCommitAt);
    try {
      // A segment after one that could not be written belongs to no chain (the new generation's snapshot holds it).
      if (this.#failed.has(generation)) return;
      const encoded = await encodeToBody(
        {
          kind: "segment",
          generation,
          seq,
          meta: pending.meta,
          compression: this.#o.compression,
          key: this.#o.key,
          inline: this.#inline,
          source: Array.isArray(pending.frames) ? pending.frames : createReadStream(pending.frames.file),
        },
        pending.bytes > IN_MEMORY_BYTES || this.#targets.backlogBytes > BACKLOG_BYTES
          ? this.#staging.path(`segment-${this.#files++}`)
          : undefined,
      );
      this.#targets.push("segments", { key, kind: "segment", seq }, encoded);
      this.#events.emit("segment", {
        generation,
        seq,
        commits: pending.meta.commits.length,
        frames: pending.meta.wal.lastFrame - pending.meta.wal.firstFrame + 1,
        plainBytes: encoded.plainBytes,
        storedBytes: encoded.storedBytes,
        lastCommitAt,
      });
    } catch (error) {
      // A hole in the chain: the lineage starts again from a snapshot.
      this.#failed.add(generation);
      this.#events.emit("error", { error, during: "observe", key });
      if (this.#generation.id === generation)
        this.#broken ??= `segment ${seq} could not be written: ${(error as Error).message}`;
    } finally {
      if (Array.isArray(pending.frames)) this.#encoding -= pending.bytes;
      await this.#dropPending(pending.frames);
    }
  }

  /** Moves the held read transaction forward; checkpoints and restarts the log when it is long. */
  #maintain(): void {
    const guard = this.#guard;
    // Frames of the new cycle read before this rotation exist, so the read transaction it starts holds them.
    const pinned =
      this.#repin !== undefined &&
      this.#follower.header?.salt1 !== this.#repin.salt1 &&
      this.#follower.position.frame > 0;
    if (guard.rotate(() => this.#observe()) === undefined || this.#broken) return;
    if (pinned) this.#repin = undefined;
    const here = () => {
      const { header, position } = this.#follower;
      return `${header?.salt1}:${header?.salt2}:${position.frame}`;
    };
    if (this.#follower.position.frame < CHECKPOINT_FRAMES || here() === this.#restartedAt) return;
    try {
      // Copy the log into the database without the lock, moving the read transaction forward after each copy (a
      // checkpoint copies only up to it), until few frames are left: those are copied, and synced, under the write
      // lock, which writers wait for. A copy takes a few fsyncs, during which a fast writer commits more.
      let before = Number.POSITIVE_INFINITY;
      for (let round = 1; ; round++) {
        const passive = guard.checkpoint("PASSIVE");
        this.#events.emit("checkpoint", { mode: "passive", ...passive });
        if (guard.rotate(() => this.#observe()) === undefined || this.#broken) return;
        const left = this.#follower.position.frame - passive.checkpointed;
        // A copy that did not halve what is left will not converge (a disk slower than the writer): stop copying.
        if (passive.busy || left <= RESTART_TAIL_FRAMES || left > before / 2 || round >= COPY_ROUNDS) break;
        before = left;
      }
      const restart = guard.restartLog(() => this.#observe(RESTART_BUDGET_BYTES));
      this.#afterObserve();
      if (!restart) return;
      const { checkpoint, writeLockMs } = restart;
      this.#events.emit("checkpoint", { mode: "restart", ...checkpoint, writeLockMs });
      const complete = !checkpoint.busy && checkpoint.checkpointed === checkpoint.log;
      if (complete) {
        this.#restartedAt = here();
        this.#repin = { salt1: this.#follower.header?.salt1, until: this.#o.clock.now() + REPIN_FOR_MS };
      }
    } catch (error) {
      this.#events.emit("error", { error, during: "checkpoint" });
    }
  }

  /** Fixes the snapshot's point (everything read so far, all of it cut) and writes the snapshot in the background. */
  #beginSnapshot(initial: boolean): void {
    // When a checkpoint copies every frame up to the point, the file alone holds it; that matters when the held
    // read transaction reads the file alone, as the log may then restart under the snapshot. Otherwise frames
    // past the last copied one remain, so the log cannot restart while the snapshot reads it.
    const { frame } = this.#follower.position;
    const passive = frame > 0 ? this.#guard.checkpoint("PASSIVE") : undefined;
    const { source, meta } = snapshotPoint(this.#follower, {
      db: this.db,
      pageSize: this.#guard.pageSize,
      at: this.#o.clock.now(),
      backfilled: passive !== undefined && !passive.busy && passive.checkpointed === frame && this.#sameCycle(),
    });
    const { id, nextSeq } = this.#generation;
    this.#lastSnapshotAt = meta.at;
    this.#snapshot = this.#writeSnapshot(id, nextSeq, meta, source, initial).finally(() => {
      this.#snapshot = undefined;
    });
  }

  async #writeSnapshot(
    generation: string,
    seq: number,
    meta: SnapshotMeta,
    source: SnapshotSource,
    initial: boolean,
  ): Promise<void> {
    const started = this.#o.clock.now();
    const key = snapshotKey(generation, seq, meta.at);
    try {
      const encoded = await encodeToBody(
        {
          kind: "snapshot",
          generation,
          seq,
          meta,
          compression: this.#o.compression,
          key: this.#o.key,
          inline: this.#inline,
          source: snapshotImage(source),
        },
        this.#staging.path(`snapshot-${this.#files++}`),
      );
      this.#targets.push("snapshots", { key, kind: "snapshot", seq }, encoded);
      this.#events.emit("snapshot", {
        generation,
        seq,
        pages: meta.pages,
        plainBytes: encoded.plainBytes,
        storedBytes: encoded.storedBytes,
        durationMs: this.#o.clock.now() - started,
      });
    } catch (error) {
      this.#events.emit("error", { error, during: "snapshot", key });
      // Without its first snapshot a generation restores nothing: start another. A later one is tried again.
      if (initial && this.#generation.id === generation)
        this.#broken ??= `the first snapshot failed: ${(error as Error).message}`;
      else this.#lastSnapshotAt = this.#o.clock.now() - this.#o.snapshotIntervalMs + SNAPSHOT_RETRY_MS;
    }
  }

  async #restartLineage(): Promise<void> {
    const reason = this.#broken ?? "";
    this.#broken = undefined;
    // What was read before the break belongs to the old lineage: ship it there.
    this.#cut();
    await this.#snapshot;
    if (this.#inodeChanged()) {
      this.#guard.close();
      this.#follower.close();
      this.#guard = WalGuard.open(this.db, { lockWaitMs: this.#lockWaitMs });
      this.#follower = new WalFollower(`${this.db}-wal`);
      this.#inode = statSync(this.db).ino;
    } else {
      if (!this.#guard.holding) this.#guard.beginRead();
    }
    this.#startGeneration(reason, this.#generation.id);
  }

  async #runRetention(): Promise<void> {
    try {
      for (const target of this.#o.targets) {
        try {
          const result = await applyReplicaRetention(target, {
            windowMs: this.#o.retentionWindowMs,
            clock: this.#o.clock,
            keep: this.#generation.id,
          });
          this.#events.emit("retention", result);
        } catch (error) {
          this.#events.emit("error", { error, during: "retention", target: target.location });
        }
      }
    } finally {
      this.#retention = undefined;
    }
  }

  /** True when the log file is still in the cycle the follower read last (it did not restart since). */
  #sameCycle(): boolean {
    const header = this.#follower.header;
    if (!header) return false;
    const bytes = Buffer.alloc(WAL_HEADER_BYTES);
    try {
      const fd = openSync(`${this.db}-wal`, "r");
      try {
        readSync(fd, bytes, 0, WAL_HEADER_BYTES, 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      return false;
    }
    const now = parseWalHeader(bytes);
    return now !== undefined && now.salt1 === header.salt1 && now.salt2 === header.salt2;
  }

  async #dropPending(frames: Buffer[] | { file: string }): Promise<void> {
    if (!Array.isArray(frames)) await rm(frames.file, { force: true });
  }

  #inodeChanged(): boolean {
    try {
      return statSync(this.db).ino !== this.#inode;
    } catch {
      return true;
    }
  }

  #checkOpen(): void {
    if (this.#closed || this.#stopping) {
      throw replicaError("stopped", `the replicator of ${this.db} is stopped`, {
        hint: "start a new one with replicate()",
      });
    }
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#targets.stop(
      replicaError("stopped", `the replicator of ${this.db} stopped`, { hint: "start a new one with replicate()" }),
    );
    for (const dropped of this.#builder.discard()) await this.#dropPending(dropped.frames);
    this.#guard.close();
    this.#follower.close();
    await this.#staging.release();
  }
}
