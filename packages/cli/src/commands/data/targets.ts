import { type BackupTarget, openTarget } from "@nines/data";
import type { Io } from "../../command.js";

/** The option every backup command takes for S3-compatible stores. */
export const ENDPOINT_OPTION = { endpoint: { type: "string" } } as const;

/**
 * Opens the backup targets named on the command line (directories resolved
 * against the command's cwd, `s3://` with the AWS_* variables and
 * --endpoint), runs `use`, then closes them all.
 *
 * @example
 * await withTargets(["backups"], io, args.values.endpoint, ([target]) => listBackups(target));
 */
export async function withTargets<T>(
  locations: readonly string[],
  io: Io,
  endpoint: string | undefined,
  use: (targets: BackupTarget[]) => Promise<T>,
): Promise<T> {
  const targets: BackupTarget[] = [];
  try {
    for (const location of locations) {
      targets.push(openTarget(location, { cwd: io.cwd, env: io.env, ...(endpoint && { endpoint }) }));
    }
    return await use(targets);
  } finally {
    for (const target of targets) await target.close?.();
  }
}
