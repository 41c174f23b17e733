import type { BackupTarget } from "../../backup/targets/target.js";
import type { TargetOp } from "./worker-messages.js";

/** Bytes handed over per `pull`: a stream's chunks are gathered up to this, so a large object crosses in few messages. */
const PULL_BYTES = 1024 * 1024;

/**
 * Serves a worker's target operations (see `RemoteTarget`) with the real
 * targets, in the caller's thread. Streams opened by `get` are read on
 * demand and closed by `drop` or when the host closes.
 *
 * @example
 * const host = new TargetHost(targets);
 * const value = await host.serve(0, "list", ["generations/"]);
 */
export class TargetHost {
  readonly #targets: readonly BackupTarget[];
  readonly #streams = new Map<number, { iterator: AsyncIterator<Uint8Array>; destroy: () => void }>();
  #nextStream = 0;

  constructor(targets: readonly BackupTarget[]) {
    this.#targets = targets;
  }

  /** Runs one operation; the answer is what the worker's `RemoteTarget` expects. */
  async serve(index: number, op: TargetOp, args: unknown[]): Promise<unknown> {
    const target = this.#targets[index] as BackupTarget;
    const [first] = args;
    switch (op) {
      case "put":
        return await target.put(first as string, args[1] as { file: string } | { bytes: Uint8Array });
      case "get": {
        const stream = await target.get(first as string);
        const id = this.#nextStream++;
        this.#streams.set(id, {
          iterator: stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
          destroy: () => stream.destroy(),
        });
        return id;
      }
      case "pull":
        return await this.#pull(first as number);
      case "drop":
        this.#drop(first as number);
        return undefined;
      case "read":
        return await target.read(first as string);
      case "list":
        return await target.list(first as string | undefined);
      case "listObjects":
        return (await target.listObjects?.(first as string | undefined)) ?? [];
      case "delete":
        return await target.delete(first as string);
      case "sweepStaging":
        return (await target.sweepStaging?.()) ?? [];
      case "listStaging":
        return (await target.listStaging?.()) ?? [];
    }
  }

  /** Closes every stream still open (the worker stopped or died). */
  close(): void {
    for (const id of [...this.#streams.keys()]) this.#drop(id);
  }

  /** The next bytes of a stream (up to about 1 MiB, a fresh copy the worker may keep), or null at its end. */
  async #pull(id: number): Promise<Uint8Array | null> {
    const stream = this.#streams.get(id);
    if (!stream) return null;
    const parts: Uint8Array[] = [];
    let bytes = 0;
    try {
      while (bytes < PULL_BYTES) {
        const next = await stream.iterator.next();
        if (next.done) break;
        parts.push(next.value);
        bytes += next.value.length;
      }
    } catch (error) {
      this.#drop(id);
      throw error;
    }
    if (parts.length === 0) {
      this.#streams.delete(id);
      return null;
    }
    // A fresh buffer of its own, moved to the worker rather than copied.
    const chunk = new Uint8Array(bytes);
    let at = 0;
    for (const part of parts) {
      chunk.set(part, at);
      at += part.length;
    }
    return chunk;
  }

  #drop(id: number): void {
    this.#streams.get(id)?.destroy();
    this.#streams.delete(id);
  }
}
