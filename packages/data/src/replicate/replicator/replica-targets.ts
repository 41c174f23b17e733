import type { Clock, Events } from "@nines/core";
import type { BackupTarget } from "../../backup/targets/target.js";
import type { EncodedBody } from "./encode-to-body.js";
import type { ReplicatorEvents } from "./replicator-events.js";
import { type StoredObject, UploadLane } from "./upload-lane.js";

interface TargetState {
  target: BackupTarget;
  /** Generation descriptions and segments, in order; snapshots go on their own lane so a large one does not hold segments back. */
  segments: UploadLane;
  snapshots: UploadLane;
  /** Per generation: the highest segment stored (segments are stored in order) and whether a snapshot is. */
  storedSeq: Map<string, number>;
  snapshot: Set<string>;
}

interface Waiter {
  generation: string;
  seq: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The replicator's targets: two upload lanes each, what each one stores,
 * and who waits for what to be stored everywhere (`sync()`).
 *
 * @example
 * const targets = new ReplicaTargets(options.targets, { clock, events });
 * targets.push("segments", { key, kind: "segment", seq }, encoded);
 * await targets.storedEverywhere(generation, seq);
 */
export class ReplicaTargets {
  readonly #states: TargetState[];
  readonly #events: Events<ReplicatorEvents>;
  #waiters: Waiter[] = [];

  constructor(targets: readonly BackupTarget[], options: { clock: Clock; events: Events<ReplicatorEvents> }) {
    this.#events = options.events;
    this.#states = targets.map((target) => {
      const lane = (onStored: (object: StoredObject, durationMs: number) => void) =>
        new UploadLane(target, {
          clock: options.clock,
          onStored,
          onError: (object, error) =>
            this.#events.emit("error", { error, during: "upload", target: target.location, key: object.key }),
        });
      const state = { target, storedSeq: new Map(), snapshot: new Set() } as unknown as TargetState;
      state.segments = lane((object, ms) => this.#stored(state, object, ms));
      state.snapshots = lane((object, ms) => this.#stored(state, object, ms));
      return state;
    });
  }

  /** Queues an encoded object on one lane of every target; its body is discarded once all have stored it. */
  push(lane: "segments" | "snapshots", what: Omit<StoredObject, "body" | "bytes" | "release">, encoded: EncodedBody) {
    let holders = this.#states.length;
    const release = () => {
      if (--holders === 0) void encoded.discard().catch(() => undefined);
    };
    for (const state of this.#states) {
      state[lane].push({ ...what, body: encoded.body, bytes: encoded.storedBytes, release });
    }
  }

  /** Records that every target already holds a generation up to segment `seq` (a continued generation). */
  holdsAlready(generation: string, seq: number): void {
    for (const state of this.#states) {
      state.snapshot.add(generation);
      state.storedSeq.set(generation, seq);
    }
  }

  /** Resolves once every target holds a snapshot of `generation` and its segments up to `seq` (-1: none needed). */
  storedEverywhere(generation: string, seq: number): Promise<void> {
    if (this.#isStoredEverywhere(generation, seq)) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ generation, seq, resolve, reject }));
  }

  /** Moves every waiter to `generation`'s first snapshot: a new lineage holds everything the old one had. */
  moveWaiters(generation: string): void {
    for (const w of this.#waiters) {
      w.generation = generation;
      w.seq = -1;
    }
  }

  /** Resolves once every lane is empty. */
  async idle(): Promise<void> {
    await Promise.all(this.#states.flatMap((s) => [s.segments.idle(), s.snapshots.idle()]));
  }

  /** Bytes of segments waiting in the most behind target (they share their bodies, so the largest backlog counts). */
  get backlogBytes(): number {
    return Math.max(0, ...this.#states.map((s) => s.segments.backlogBytes));
  }

  /** The targets with objects still waiting to be stored. */
  behind(): string[] {
    return this.#states.filter((s) => s.segments.pending + s.snapshots.pending > 0).map((s) => s.target.location);
  }

  /** Stops every lane and fails every waiter with `error`. */
  stop(error: unknown): void {
    for (const state of this.#states) {
      state.segments.stop();
      state.snapshots.stop();
    }
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  #stored(state: TargetState, object: StoredObject, durationMs: number): void {
    const generation = object.key.split("/")[1] ?? "";
    if (object.kind === "segment") state.storedSeq.set(generation, object.seq);
    if (object.kind === "snapshot") state.snapshot.add(generation);
    this.#events.emit("stored", {
      target: state.target.location,
      key: object.key,
      kind: object.kind,
      bytes: object.bytes,
      durationMs,
    });
    this.#waiters = this.#waiters.filter((w) => {
      if (!this.#isStoredEverywhere(w.generation, w.seq)) return true;
      w.resolve();
      return false;
    });
  }

  #isStoredEverywhere(generation: string, seq: number): boolean {
    return this.#states.every(
      (s) => s.snapshot.has(generation) && (seq < 0 || (s.storedSeq.get(generation) ?? -1) >= seq),
    );
  }
}
