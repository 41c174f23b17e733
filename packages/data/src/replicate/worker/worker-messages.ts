import type { ReplicateOptions } from "../replicator/replicate-options.js";
import type { ReplicatorPosition } from "../replicator/replicator-core.js";
import type { WireError } from "./wire-error.js";

/** What the worker is started with: the options that can cross threads, and what each target can do. */
export interface WorkerInit {
  options: Omit<ReplicateOptions, "targets" | "clock" | "random" | "thread">;
  targets: {
    /** Set for a plain `LocalDirTarget`: the worker opens the folder itself instead of asking this thread. */
    localDir: string | undefined;
    location: string;
    sweepStaging: boolean;
    listStaging: boolean;
    listObjects: boolean;
  }[];
}

/** The options `WorkerReplicator.start` takes beside the database and the targets. */
export type WorkerOptions = Omit<WorkerInit["options"], "db">;

/** The operations a worker asks of a target, which stays in the caller's thread (its clients, its credentials). */
export type TargetOp =
  | "put"
  | "get"
  | "read"
  | "list"
  | "listObjects"
  | "delete"
  | "sweepStaging"
  | "listStaging"
  | "pull"
  | "drop";

/** The replicator's methods the caller's thread calls in the worker. */
export type CallMethod = "sync" | "snapshot" | "applyRetention" | "stop";

/** Messages from the caller's thread to the worker. */
export type ToWorker =
  | { type: "call"; id: number; method: CallMethod; args: unknown[] }
  | { type: "listen"; name: string }
  | { type: "target-reply"; id: number; ok: true; value: unknown }
  | { type: "target-reply"; id: number; ok: false; error: WireError };

/** Messages from the worker to the caller's thread. */
export type FromWorker =
  | { type: "batch"; messages: FromWorker[] }
  | { type: "started"; position: ReplicatorPosition }
  | { type: "start-failed"; error: WireError }
  | { type: "position"; position: ReplicatorPosition }
  | { type: "event"; name: string; payload: unknown }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: WireError }
  | { type: "target"; id: number; index: number; op: TargetOp; args: unknown[] };
