// The worker thread a `Replicator` runs in (see `worker-replicator.ts`):
// reading the log, checkpoints, snapshots, compression and encryption all
// happen here, off the application's thread; targets stay in the caller's
// thread and are reached through `RemoteTarget`.
import { parentPort, workerData } from "node:worker_threads";
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

const port = parentPort as NonNullable<typeof parentPort>;
const init = workerData as WorkerInit;
const post = (message: FromWorker) => port.postMessage(message);
const asked = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
let nextAsk = 0;

function ask(index: number, op: TargetOp, args: unknown[], transfer: ArrayBuffer[] = []): Promise<unknown> {
  const id = nextAsk++;
  return new Promise((resolve, reject) => {
    asked.set(id, { resolve, reject });
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
  const waiting = asked.get(message.id);
  asked.delete(message.id);
  if (!waiting) return;
  if (message.ok) waiting.resolve(message.value);
  else waiting.reject(fromWire(message.error));
});

try {
  const targets = init.targets.map((info, index) => new RemoteTarget(info, index, ask));
  core = await ReplicatorCore.start(
    { ...init.options, targets },
    { onPosition: (position) => post({ type: "position", position }), inline: true },
  );
  for (const name of EVENTS) {
    core.on(name, (payload) => {
      const wire = name === "error" ? { ...payload, error: toWire((payload as { error: unknown }).error) } : payload;
      post({ type: "event", name, payload: wire });
    });
  }
  post({ type: "started", position: core.position });
} catch (error) {
  post({ type: "start-failed", error: toWire(error) });
}
