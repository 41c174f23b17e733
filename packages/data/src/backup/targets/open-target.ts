import { isAbsolute, resolve } from "node:path";
import { backupError } from "../errors.js";
import { LocalDirTarget } from "./local-dir-target.js";
import { S3Target } from "./s3-target.js";
import type { BackupTarget } from "./target.js";

/**
 * Options of {@link openTarget}.
 *
 * @example
 * openTarget("backups", { cwd: "/srv/app", env: process.env });
 */
export interface OpenTargetOptions {
  /** Directory that relative paths are resolved against. */
  cwd?: string;
  /** S3-compatible endpoint; `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` from `env` otherwise. */
  endpoint?: string;
  /** Where AWS_* settings (endpoint, keys, region) are read from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Turns a location as the CLI takes it into a target: `s3://bucket/prefix`
 * for an S3-compatible bucket, anything else a local directory.
 *
 * @example
 * const target = openTarget("s3://backups/orders", { endpoint: "http://127.0.0.1:9000" });
 * const local = openTarget("./backups");
 */
export function openTarget(location: string, options: OpenTargetOptions = {}): BackupTarget {
  const env = options.env ?? process.env;
  if (location.startsWith("s3://")) {
    const rest = location.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1);
    if (!bucket) {
      throw backupError("targetInvalid", `'${location}' names no bucket`, { hint: "write s3://BUCKET/PREFIX" });
    }
    const endpoint = options.endpoint ?? env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"];
    const accessKeyId = env["AWS_ACCESS_KEY_ID"];
    const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
    const sessionToken = env["AWS_SESSION_TOKEN"];
    // Keys in `env` are used as given; without them the SDK's own chain (profiles, instance roles) applies.
    const credentials =
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
        : undefined;
    const region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"];
    try {
      return new S3Target({
        bucket,
        prefix,
        ...(endpoint ? { endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        ...(region ? { region } : {}),
      });
    } catch (error) {
      throw backupError("targetInvalid", `'${location}' is not a usable S3 location: ${(error as Error).message}`, {
        hint: "write s3://BUCKET/PREFIX with a valid bucket name and a prefix of plain path segments",
        cause: error,
      });
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw backupError("targetInvalid", `'${location}' is not a directory or an s3:// location`, {
      hint: "give a local directory or s3://BUCKET/PREFIX",
    });
  }
  const dir = isAbsolute(location) ? location : resolve(options.cwd ?? process.cwd(), location);
  return new LocalDirTarget(dir);
}
