import { Readable } from "node:stream";
import type { StagingInfo } from "../../backup/staging/sweep-staging.js";
import type { BackupTarget, ObjectInfo, TargetBody } from "../../backup/targets/target.js";
import type { TargetOp } from "./worker-messages.js";

/** Sends one target operation to the caller's thread and resolves with its answer. */
export type AskTarget = (index: number, op: TargetOp, args: unknown[], transfer?: ArrayBuffer[]) => Promise<unknown>;

/**
 * A target as the worker sees it: every operation is done by the real
 * target in the caller's thread (see `TargetHost`), so S3 clients,
 * credentials and test doubles never have to cross threads. Bodies cross as
 * a file path or a copy of the bytes; `get` streams the object a chunk at a
 * time, asked for as it is read.
 *
 * @example
 * const target = new RemoteTarget({ location: "/replicas/a", sweepStaging: true, listStaging: true, listObjects: true }, 0, ask);
 * await target.put("generations/G/generation.json", { bytes });
 */
export class RemoteTarget implements BackupTarget {
  readonly location: string;
  readonly #index: number;
  readonly #ask: AskTarget;
  sweepStaging?: () => Promise<StagingInfo[]>;
  listStaging?: () => Promise<StagingInfo[]>;
  listObjects?: (prefix?: string) => Promise<ObjectInfo[]>;

  constructor(
    info: { location: string; sweepStaging: boolean; listStaging: boolean; listObjects: boolean },
    index: number,
    ask: AskTarget,
  ) {
    this.location = info.location;
    this.#index = index;
    this.#ask = ask;
    if (info.sweepStaging) this.sweepStaging = async () => (await this.#call("sweepStaging", [])) as StagingInfo[];
    if (info.listStaging) this.listStaging = async () => (await this.#call("listStaging", [])) as StagingInfo[];
    if (info.listObjects)
      this.listObjects = async (prefix) => (await this.#call("listObjects", [prefix])) as ObjectInfo[];
  }

  async put(key: string, body: TargetBody): Promise<void> {
    if ("file" in body) {
      await this.#call("put", [key, { file: body.file }]);
      return;
    }
    // A copy moves to the caller's thread without being copied again there (the body may be stored again on a retry).
    const bytes = new Uint8Array(body.bytes);
    await this.#ask(this.#index, "put", [key, { bytes }], [bytes.buffer]);
  }

  async get(key: string): Promise<Readable> {
    const stream = (await this.#call("get", [key])) as number;
    const call = (op: TargetOp) => this.#call(op, [stream]);
    async function* chunks() {
      let done = false;
      try {
        for (;;) {
          const chunk = (await call("pull")) as Uint8Array | null;
          if (chunk === null) {
            done = true;
            return;
          }
          yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
      } finally {
        if (!done) await call("drop").catch(() => undefined);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async read(key: string): Promise<Uint8Array> {
    return (await this.#call("read", [key])) as Uint8Array;
  }

  async list(prefix?: string): Promise<string[]> {
    return (await this.#call("list", [prefix])) as string[];
  }

  async delete(key: string): Promise<void> {
    await this.#call("delete", [key]);
  }

  #call(op: TargetOp, args: unknown[]): Promise<unknown> {
    return this.#ask(this.#index, op, args);
  }
}
