import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { requireOption } from "@nines/core";
import { backupError } from "../errors.js";
import { checkKey, checkPrefix } from "../keys.js";
import type { BackupTarget, ObjectInfo, TargetBody } from "./target.js";

/**
 * Options of `S3Target`.
 *
 * @example
 * const options: S3TargetOptions = { bucket: "backups", prefix: "app", endpoint: "http://127.0.0.1:9000" };
 */
export interface S3TargetOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` ("" for the bucket root). */
  prefix?: string;
  /** An S3-compatible endpoint (MinIO, s3rver, ...); AWS itself when omitted. Path-style addressing is used when set. */
  endpoint?: string;
  /** Region; `AWS_REGION` or `us-east-1` by default. */
  region?: string;
  /** Explicit credentials (or a function that fetches them); the SDK's standard chain (AWS_ACCESS_KEY_ID, profiles, ...) when omitted. */
  credentials?: S3Credentials | (() => Promise<S3Credentials>);
  /** Bytes per part of a multipart upload (default 16 MiB, more for objects that would need over 9,000 parts; at least 5 MiB). */
  partBytes?: number;
  /** Parts of one upload sent at once (default 2: the memory an upload holds is about this many parts). */
  queueSize?: number;
  /** Attempts per request, the first included (the SDK's default, 3, when omitted): a failed part is sent again on its own. */
  maxAttempts?: number;
}

/** Keys for an S3-compatible service. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Sdk = typeof import("@aws-sdk/client-s3");
type Storage = typeof import("@aws-sdk/lib-storage");

/** The AWS SDK, loaded when a bucket is first used: it is an optional peer dependency of @nines/data. */
async function loadSdk(): Promise<Sdk> {
  try {
    return await import("@aws-sdk/client-s3");
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND")
      throw failed("loading", "@aws-sdk/client-s3", cause);
    throw backupError("targetInvalid", "S3 targets need the package @aws-sdk/client-s3, which is not installed", {
      hint: "npm install @aws-sdk/client-s3 @aws-sdk/lib-storage (optional peer dependencies of @nines/data)",
      cause,
    });
  }
}

/** The SDK's upload helper, loaded when a file is first stored: an optional peer dependency too. */
async function loadStorage(): Promise<Storage> {
  try {
    return await import("@aws-sdk/lib-storage");
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND")
      throw failed("loading", "@aws-sdk/lib-storage", cause);
    throw backupError(
      "targetInvalid",
      "storing files in S3 needs the package @aws-sdk/lib-storage, which is not installed",
      { hint: "npm install @aws-sdk/lib-storage (an optional peer dependency of @nines/data)", cause },
    );
  }
}

const MIB = 1024 * 1024;
/** S3 allows 10,000 parts; staying below leaves room. */
const MAX_PARTS = 9000;

function failed(operation: string, where: string, cause: unknown) {
  return backupError("targetFailed", `${operation} ${where} failed: ${(cause as Error).message ?? String(cause)}`, {
    hint: "check the bucket name, the endpoint (--endpoint or AWS_ENDPOINT_URL) and the AWS credentials",
    cause,
  });
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}

/**
 * A backup target in an S3-compatible bucket through `@aws-sdk/client-s3`.
 * An object appears whole or not at all (readers see the old object or the
 * new one), which is all the backup layout needs; the manifest is written
 * last so a backup only exists once all its data is there (while a backup
 * is being stored, a lease object beside its data, renewed every minute,
 * says its writer is alive: see `openBackupWriter`). A few bytes go up in
 * one PutObject; a file goes up with the SDK's own upload helper
 * (`@aws-sdk/lib-storage` `Upload`): one PutObject up to one part, a
 * multipart upload above (any size: S3's single PutObject stops at 5 GB),
 * a failed part sent again on its own, a failed upload aborted so that no
 * part is left behind.
 *
 * @example
 * const target = new S3Target({ bucket: "backups", prefix: "orders", endpoint: "http://127.0.0.1:9000" });
 * await target.list(); // ["2026.../manifest.json", ...]
 */
export class S3Target implements BackupTarget {
  readonly location: string;
  readonly #config: S3ClientConfig;
  #client: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  #storage: Promise<Storage> | undefined;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partBytes: number | undefined;
  readonly #queueSize: number;

  constructor(options: S3TargetOptions) {
    requireOption(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket),
      "S3Target",
      "bucket",
      options.bucket,
      "a valid bucket name",
    );
    const prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    if (prefix) checkPrefix(prefix);
    this.#bucket = options.bucket;
    this.#prefix = prefix ? `${prefix}/` : "";
    this.#partBytes = options.partBytes === undefined ? undefined : Math.max(5 * MIB, options.partBytes);
    this.#queueSize = Math.max(1, options.queueSize ?? 2);
    this.location = `s3://${options.bucket}/${prefix}`;
    this.#config = {
      region: options.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"] ?? "us-east-1",
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: Math.max(1, options.maxAttempts) }),
      // Checksums only where S3 requires them: streaming trailers are not understood by every S3-compatible server,
      // and nines checks its own SHA-256 of every backup anyway.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    };
  }

  /** The client, made on first use (so that the SDK loads only for applications that use S3). */
  #sdk(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.#client ??= loadSdk().then((sdk) => ({ sdk, client: new sdk.S3Client(this.#config) }));
    return this.#client;
  }

  #key(key: string): string {
    return this.#prefix + checkKey(key);
  }

  async put(key: string, body: TargetBody): Promise<void> {
    const full = this.#key(key);
    const { sdk, client } = await this.#sdk();
    if ("bytes" in body) {
      try {
        await client.send(new sdk.PutObjectCommand({ Bucket: this.#bucket, Key: full, Body: body.bytes }));
      } catch (error) {
        throw failed("writing", `s3://${this.#bucket}/${full}`, error);
      }
      return;
    }
    this.#storage ??= loadStorage();
    const storage = await this.#storage;
    try {
      const size = (await stat(body.file)).size;
      const upload = new storage.Upload({
        client,
        params: { Bucket: this.#bucket, Key: full, Body: createReadStream(body.file), ContentLength: size },
        partSize: this.#partBytes ?? Math.max(16 * MIB, Math.ceil(size / MAX_PARTS)),
        queueSize: this.#queueSize,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (error) {
      throw failed("writing", `s3://${this.#bucket}/${full}`, error);
    }
  }

  async #open(key: string): Promise<Readable> {
    const full = this.#key(key);
    const { sdk, client } = await this.#sdk();
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.#bucket, Key: full }));
      return response.Body as Readable;
    } catch (error) {
      if (isMissing(error)) {
        throw backupError("notFound", `no object '${key}' in ${this.location}`, {
          hint: "list what is there with 'nines data backups --from s3://...'",
        });
      }
      throw failed("reading", `s3://${this.#bucket}/${full}`, error);
    }
  }

  async get(key: string): Promise<Readable> {
    return await this.#open(key);
  }

  async read(key: string): Promise<Uint8Array> {
    const body = await this.#open(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async list(prefix = ""): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.key);
  }

  /** Every object under `prefix` with its size and LastModified (the server's clock). */
  async listObjects(prefix = ""): Promise<ObjectInfo[]> {
    checkPrefix(prefix);
    const objects: ObjectInfo[] = [];
    let token: string | undefined;
    const { sdk, client } = await this.#sdk();
    try {
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix + prefix,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          objects.push({
            key: object.Key.slice(this.#prefix.length),
            bytes: object.Size ?? 0,
            modifiedAt: object.LastModified?.getTime() ?? 0,
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw failed("listing", this.location, error);
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const full = this.#key(key);
    const { sdk, client } = await this.#sdk();
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.#bucket, Key: full }));
    } catch (error) {
      if (!isMissing(error)) throw failed("deleting", `s3://${this.#bucket}/${full}`, error);
    }
  }

  async close(): Promise<void> {
    // A client that was never made (the SDK missing) has nothing to close.
    const made = await this.#client?.catch(() => undefined);
    made?.client.destroy();
  }
}
