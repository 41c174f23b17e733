import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { backupError } from "../../backup/errors.js";
import { checkKey } from "../../backup/keys.js";
import { S3Target, type S3TargetOptions } from "../../backup/targets/s3-target.js";
import type { BackupTarget, TargetBody } from "../../backup/targets/target.js";

/** Options of {@link MultipartS3Target}: an S3 target's, and how large objects are cut. */
export interface MultipartS3TargetOptions extends S3TargetOptions {
  /** Bytes per part (default: 16 MiB, more for objects that would need over 9,000 parts; at least 5 MiB). */
  partBytes?: number;
  /** Parts uploaded at once (default 2: memory held is about this many parts). */
  queueSize?: number;
  /** Attempts per request, the first included (default 5): a failed part is sent again, not the whole object. */
  maxAttempts?: number;
}

const MIB = 1024 * 1024;

type Sdk = { s3: typeof import("@aws-sdk/client-s3"); storage: typeof import("@aws-sdk/lib-storage") };

/** The SDK's client and upload helper, loaded on first use: both are optional peer dependencies of @nines/data. */
async function loadSdk(): Promise<Sdk> {
  try {
    const [s3, storage] = await Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")]);
    return { s3, storage };
  } catch (cause) {
    throw backupError(
      "targetInvalid",
      "S3 replicas need the packages @aws-sdk/client-s3 and @aws-sdk/lib-storage, which are not both installed",
      {
        hint: "npm install @aws-sdk/client-s3 @aws-sdk/lib-storage (optional peer dependencies of @nines/data)",
        cause,
      },
    );
  }
}
/** S3 allows 10,000 parts; staying below leaves room. */
const MAX_PARTS = 9000;

/**
 * An S3 target whose files of any size are stored with the AWS SDK's own
 * upload helper (`@aws-sdk/lib-storage` `Upload`): one PutObject for a
 * small file, a multipart upload above one part (S3's single PutObject
 * stops at 5 GB). A failed part is retried by the SDK on its own (up to
 * `maxAttempts`), so a network error costs one part, not the upload; a
 * failed upload is aborted (no parts left billed) and the object is
 * absent, never half there: S3 makes it appear only when the upload
 * completes. Everything else is `S3Target`'s.
 *
 * @example
 * const target = new MultipartS3Target({ bucket: "replicas", prefix: "app", endpoint: "http://127.0.0.1:9000" });
 * await target.put("generations/g/snapshots/0000000000-20261129T071500000Z.snapshot", { file: "/tmp/snap" });
 */
export class MultipartS3Target implements BackupTarget {
  readonly location: string;
  readonly #inner: S3Target;
  readonly #config: S3ClientConfig;
  #sdk: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partBytes: number | undefined;
  readonly #queueSize: number;

  constructor(options: MultipartS3TargetOptions) {
    const { partBytes, queueSize, maxAttempts, ...s3 } = options;
    this.#inner = new S3Target(s3);
    this.location = this.#inner.location;
    this.#bucket = s3.bucket;
    const prefix = (s3.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.#prefix = prefix ? `${prefix}/` : "";
    this.#partBytes = partBytes === undefined ? undefined : Math.max(5 * MIB, partBytes);
    this.#queueSize = Math.max(1, queueSize ?? 2);
    this.#config = {
      region: s3.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"] ?? "us-east-1",
      ...(s3.endpoint ? { endpoint: s3.endpoint, forcePathStyle: true } : {}),
      ...(s3.credentials ? { credentials: s3.credentials } : {}),
      maxAttempts: Math.max(1, maxAttempts ?? 5),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    };
  }

  async put(key: string, body: TargetBody): Promise<void> {
    if ("bytes" in body) {
      await this.#inner.put(key, body);
      return;
    }
    const full = this.#prefix + checkKey(key);
    this.#sdk ??= loadSdk().then((sdk) => ({ sdk, client: new sdk.s3.S3Client(this.#config) }));
    const { sdk, client } = await this.#sdk;
    try {
      const size = (await stat(body.file)).size;
      const partSize = this.#partBytes ?? Math.max(16 * MIB, Math.ceil(size / MAX_PARTS));
      const upload = new sdk.storage.Upload({
        client,
        params: { Bucket: this.#bucket, Key: full, Body: createReadStream(body.file), ContentLength: size },
        partSize,
        queueSize: this.#queueSize,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (error) {
      throw backupError(
        "targetFailed",
        `writing s3://${this.#bucket}/${full} failed: ${(error as Error).message ?? String(error)}`,
        {
          hint: "check the bucket name, the endpoint (--endpoint or AWS_ENDPOINT_URL) and the AWS credentials",
          cause: error,
        },
      );
    }
  }

  get(key: string): Promise<Readable> {
    return this.#inner.get(key);
  }

  read(key: string): Promise<Uint8Array> {
    return this.#inner.read(key);
  }

  list(prefix?: string): Promise<string[]> {
    return this.#inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  async close(): Promise<void> {
    const made = await this.#sdk?.catch(() => undefined);
    made?.client.destroy();
    await this.#inner.close();
  }
}
