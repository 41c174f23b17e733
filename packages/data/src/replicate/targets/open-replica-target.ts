import { type OpenTargetOptions, openTarget } from "../../backup/targets/open-target.js";
import { S3Target } from "../../backup/targets/s3-target.js";
import type { BackupTarget } from "../../backup/targets/target.js";
import { MultipartS3Target } from "./multipart-s3-target.js";

/**
 * Like `openTarget` (a directory, or `s3://bucket/prefix` with the AWS_*
 * settings), checked the same way, but an S3 location stores files of any
 * size through multipart uploads ({@link MultipartS3Target}): a snapshot of
 * a large database is not limited to 5 GB.
 *
 * @example
 * const target = openReplicaTarget("s3://replicas/app", { endpoint: "http://127.0.0.1:9000" });
 */
export function openReplicaTarget(location: string, options: OpenTargetOptions = {}): BackupTarget {
  const plain = openTarget(location, options);
  if (!(plain instanceof S3Target)) return plain;
  void plain.close();
  const env = options.env ?? process.env;
  const rest = location.slice("s3://".length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? "" : rest.slice(slash + 1);
  const endpoint = options.endpoint ?? env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"];
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  const sessionToken = env["AWS_SESSION_TOKEN"];
  const region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"];
  return new MultipartS3Target({
    bucket,
    prefix,
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    ...(region ? { region } : {}),
  });
}
