// The worker thread a `Replicator` runs in (see `worker-replicator.ts`):
// reading the log, checkpoints, snapshots, compression and encryption all
// happen here, off the application's thread; a plain local folder is
// written from here too, and other targets stay in the caller's thread
// (their clients, their credentials), reached through `RemoteTarget`.
import { parentPort, workerData } from "node:worker_threads";
import { LocalDirTarget } from "../../backup/targets/local-dir-target.js";
import { ReplicatorCore } from "../replicator/replicator-core.js";
import type { ReplicatorEvents } from "../replicator/replicator-events.js";
import { RemoteTarget } from "./remote-target.js";
import { fromWire, toWire } from "./wire-error.js";
import type { FromWorker, TargetOp, ToWorker, WorkerInit } from "./worker-messages.js";

const EVENTS: (keyof ReplicatorEvents)[] = [
  "generation",
  "segment",
  "snapshot",
  "stored",
  "checkpoint",
  "retention",
  "error",
];

/**
 * How long a log restart waits for SQLite's write lock in this thread: a
 * writer going as fast as it can holds it most of the time, so one try
 * mostly fails and the log would keep growing. Frames committed meanwhile
 * are read under the lock, so the wait stays short.
 */
const LOCK_WAIT_MS = 10;

const port = parentPort as NonNullable<typeof parentPort>;
const init = workerData as WorkerInit;
/**
 * What the caller's thread is told goes out in one message per turn of
 * this thread: each message costs the application's thread a turn of its
 * own (a look used to send three or four, and a commit that waited behind
 * them was late by a few hundred microseconds).
 */
let outbox: FromWorker[] = [];
function flush(): void {
  const batch = outbox;
  outbox = [];
  if (batch.length === 1) port.postMessage(batch[0]);
  else if (batch.length > 1) port.postMessage({ type: "batch", messages: batch } satisfies FromWorker);
}
const post = (message: FromWorker) => {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(message);
};
/** Events the caller's thread listens to (errors always go): others are not sent at all. */
const listened = new Set<string>(["error"]);
const asked = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
let nextAsk = 0;

function ask(index: number, op: TargetOp, args: unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
  const id = nextAsk++;
  return new Promise((resolve, reject) => {
    asked.set(id, { resolve, reject });
    // After what was told before it, in order.
    flush();
    const message: FromWorker = { type: "target", id, index, op, args };
    port.postMessage(message, transfer);
  });
}

let core: ReplicatorCore | undefined;

async function call(id: number, method: "sync" | "snapshot" | "applyRetention" | "stop", args: unknown[]) {
  try {
    const replicator = core as ReplicatorCore;
    const value =
      method === "stop"
        ? await replicator.stop(args[0] as { timeoutMs?: number })
        : method === "sync"
          ? await replicator.sync()
          : method === "snapshot"
            ? await replicator.snapshot()
            : await replicator.applyRetention();
    post({ type: "reply", id, ok: true, value });
  } catch (error) {
    post({ type: "reply", id, ok: false, error: toWire(error) });
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "call") {
    void call(message.id, message.method, message.args);
    return;
  }
  if (message.type === "listen") {
    listened.add(message.name);
    return;
  }
  const waiting = asked.get(message.id);
  asked.delete(message.id);
  if (!waiting) return;
  if (message.ok) waiting.resolve(message.value);
  else waiting.reject(fromWire(message.error));
});

try {
  const targets = init.targets.map((info, index) =>
    info.localDir !== undefined ? new LocalDirTarget(info.localDir) : new RemoteTarget(info, index, ask),
  );
  core = await ReplicatorCore.start(
    { ...init.options, targets },
    {
      onPosition: (position) => post({ type: "position", position }),
      inline: true,
      lockWaitMs: LOCK_WAIT_MS,
    },
  );
  for (const name of EVENTS) {
    core.on(name, (payload) => {
      if (!listened.has(name)) return;
      const wire = name === "error" ? { ...payload, error: toWire((payload as { error: unknown }).error) } : payload;
      post({ type: "event", name, payload: wire });
    });
  }
  post({ type: "started", position: core.position });
} catch (error) {
  post({ type: "start-failed", error: toWire(error) });
}
