import { Worker } from "node:worker_threads";
import { Events, type Listener, type Unsubscribe } from "@nines/core";
import { LocalDirTarget } from "../../backup/targets/local-dir-target.js";
import type { BackupTarget } from "../../backup/targets/target.js";
import { replicaError } from "../errors.js";
import type { ReplicatorPosition } from "../replicator/replicator-core.js";
import type { ReplicatorEvents } from "../replicator/replicator-events.js";
import { TargetHost } from "./target-host.js";
import { fromWire, toWire } from "./wire-error.js";
import type { CallMethod, FromWorker, ToWorker, WorkerInit, WorkerOptions } from "./worker-messages.js";

/**
 * The worker's entry point. Run from the TypeScript sources (tests and
 * benchmarks under tsx), a worker does not inherit tsx's loader, so it
 * registers it first; built, it is the compiled file beside this one.
 */
function entry(): { code: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return { code: new URL("./replicator-worker.js", here), eval: false };
  const file = new URL("./replicator-worker.ts", here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  return {
    code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); })`,
    eval: true,
  };
}

/**
 * A replicator running in a worker thread, seen from the caller's thread:
 * its methods are messages to the worker, its events come back as
 * messages, and the worker's target operations are served here by the real
 * targets. The worker does not keep the process alive, except while a call
 * (`sync`, `stop`, ...) waits for it. A worker that dies fails every
 * waiting call with `NINES_REPLICA_STOPPED` and reports an `error` event.
 *
 * @example
 * const replicator = await WorkerReplicator.start("/srv/app.db", { intervalMs: 1000 }, targets);
 * await replicator.stop();
 */
export class WorkerReplicator {
  readonly #worker: Worker;
  readonly #host: TargetHost;
  readonly #events = new Events<ReplicatorEvents>();
  readonly #calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  #nextCall = 0;
  #position: ReplicatorPosition = { generation: "", nextSeq: 0 };
  #dead: Error | undefined;
  #stopped = false;
  #started: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  private constructor(worker: Worker, host: TargetHost) {
    this.#worker = worker;
    this.#host = host;
    worker.on("message", (message: FromWorker) => this.#receive(message));
    worker.on("error", (error) => this.#die(error));
    worker.on("exit", (code) => this.#die(new Error(`the replicator's worker thread exited (code ${code})`)));
  }

  /** Starts the worker and resolves once its replicator has settled the lineage (or rejects with why not). */
  static async start(db: string, options: WorkerOptions, targets: readonly BackupTarget[]): Promise<WorkerReplicator> {
    const init: WorkerInit = {
      options: { ...options, db },
      targets: targets.map((t) => ({
        // A plain local folder is opened by the worker itself: its writes and fsyncs then never wait for, nor
        // cost, a turn of the application's thread (a subclass, and every other target, stays here).
        localDir: Object.getPrototypeOf(t) === LocalDirTarget.prototype ? t.location : undefined,
        location: t.location,
        sweepStaging: typeof t.sweepStaging === "function",
        listStaging: typeof t.listStaging === "function",
        listObjects: typeof t.listObjects === "function",
      })),
    };
    const { code, eval: isEval } = entry();
    const worker = new Worker(code, { eval: isEval, workerData: init });
    const replicator = new WorkerReplicator(worker, new TargetHost(targets));
    try {
      await new Promise<void>((resolve, reject) => {
        replicator.#started = { resolve, reject };
      });
    } catch (error) {
      await replicator.#end();
      throw error;
    }
    worker.unref();
    return replicator;
  }

  on<K extends keyof ReplicatorEvents>(type: K, listener: Listener<ReplicatorEvents[K]>): Unsubscribe {
    // The worker sends only the events listened to here: each message costs this thread a turn.
    if (!this.#events.has(type) && !this.#dead) {
      const message: ToWorker = { type: "listen", name: type };
      this.#worker.postMessage(message);
    }
    return this.#events.on(type, listener);
  }

  get position(): ReplicatorPosition {
    return { ...this.#position };
  }

  async sync(): Promise<{ generation: string; seq: number }> {
    return (await this.#call("sync", [])) as { generation: string; seq: number };
  }

  async snapshot(): Promise<void> {
    await this.#call("snapshot", []);
  }

  async applyRetention(): Promise<void> {
    await this.#call("applyRetention", []);
  }

  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#dead) return await this.#end();
    try {
      await this.#call("stop", [options], true);
    } finally {
      await this.#end();
    }
  }

  /**
   * Ends the worker at once, without stopping the replicator in it, as a
   * crash of the thread would (what waits fails, an `error` event says so);
   * the database's locks and files are released with the thread.
   */
  async kill(): Promise<void> {
    await this.#worker.terminate();
  }

  #call(method: CallMethod, args: unknown[], stopping = false): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#stoppedError());
    if (this.#stopped && !stopping) return Promise.reject(this.#stoppedError());
    const id = this.#nextCall++;
    // A caller waiting for the worker keeps the process alive, as the replicator's retries would in its own thread.
    if (this.#calls.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { resolve, reject });
      const message: ToWorker = { type: "call", id, method, args };
      this.#worker.postMessage(message);
    });
  }

  #receive(message: FromWorker): void {
    switch (message.type) {
      case "batch":
        for (const each of message.messages) this.#receive(each);
        return;
      case "started":
        this.#position = message.position;
        this.#started?.resolve();
        this.#started = undefined;
        return;
      case "start-failed":
        this.#started?.reject(fromWire(message.error));
        this.#started = undefined;
        return;
      case "position":
        this.#position = message.position;
        return;
      case "event": {
        const payload = message.payload as Record<string, unknown>;
        if (message.name === "error") payload.error = fromWire(payload.error as Parameters<typeof fromWire>[0]);
        this.#events.emit(message.name as keyof ReplicatorEvents, payload as never);
        return;
      }
      case "reply": {
        const waiting = this.#calls.get(message.id);
        this.#calls.delete(message.id);
        if (this.#calls.size === 0 && !this.#dead) this.#worker.unref();
        if (message.ok) waiting?.resolve(message.value);
        else waiting?.reject(fromWire(message.error));
        return;
      }
      case "target":
        void this.#serve(message);
        return;
    }
  }

  async #serve(message: Extract<FromWorker, { type: "target" }>): Promise<void> {
    let reply: ToWorker;
    try {
      const value = await this.#host.serve(message.index, message.op, message.args);
      reply = { type: "target-reply", id: message.id, ok: true, value };
    } catch (error) {
      reply = { type: "target-reply", id: message.id, ok: false, error: toWire(error) };
    }
    // A pulled chunk is the host's own fresh buffer: it moves rather than being copied.
    const transfer =
      message.op === "pull" && reply.ok && reply.value instanceof Uint8Array ? [reply.value.buffer as ArrayBuffer] : [];
    if (!this.#dead) this.#worker.postMessage(reply, transfer);
  }

  #stoppedError(): Error {
    const why = this.#dead && !this.#stopped ? `: ${this.#dead.message}` : "";
    return replicaError("stopped", `the replicator is stopped${why}`, { hint: "start a new one with replicate()" });
  }

  /** The worker failed or exited: every waiting call fails, and an unexpected end is reported. */
  #die(error: Error): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#host.close();
    if (this.#started) {
      this.#started.reject(error);
      this.#started = undefined;
      return;
    }
    if (!this.#stopped) this.#events.emit("error", { error, during: "observe" });
    const failure = this.#stoppedError();
    for (const waiting of this.#calls.values()) waiting.reject(failure);
    this.#calls.clear();
  }

  async #end(): Promise<void> {
    this.#dead ??= new Error("stopped");
    this.#host.close();
    await this.#worker.terminate();
  }
}
