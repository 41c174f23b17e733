import { resolve } from "node:path";
import type { OnProgress } from "@nines/core";
import {
  type BackupTarget,
  isReplica,
  loadReplicaKey,
  type RestoreCheck,
  type RestoreReplicaResult,
  restoreReplica,
  type VerifyReplicaResult,
  verifyReplica,
} from "@nines/data";
import type { Args, OptionSpecs } from "../../args.js";
import type { Io } from "../../command.js";
import { plural } from "../../plural.js";

/** The option `restore` and `verify` take for an encrypted replica's key. */
export const KEY_FILE_OPTION = { "key-file": { type: "string" } } as const;

/** The options `restore` takes for replicas (`nines data replicate` locations). */
export const REPLICA_OPTIONS = { at: { type: "string" }, check: { type: "string" }, ...KEY_FILE_OPTION } as const;

/** The usage lines of {@link REPLICA_OPTIONS}. */
export const REPLICA_USAGE = `  --at TIME|latest       a replica (nines data replicate --to): restore the last commit at or before TIME
                         (ISO 8601, e.g. 2026-11-29T07:15:00Z), or the newest one (the default)
  --check integrity|quick  a replica: SQLite's check of the restored file before it is reported good:
                         integrity_check (the default) or quick_check (no index matched to its rows, faster)
  --key-file FILE        the replica's key, when it is encrypted (else NINES_REPLICA_KEY)
`;

type ReplicaArgs = Args<OptionSpecs & typeof REPLICA_OPTIONS>;
type KeyArgs = Args<OptionSpecs & typeof KEY_FILE_OPTION>;

/** The replica key from --key-file or NINES_REPLICA_KEY (undefined: not encrypted). */
export function replicaKeyOf(args: KeyArgs, io: Io): Buffer | undefined {
  const keyFile = args.values["key-file"];
  return loadReplicaKey({ env: io.env, ...(keyFile && { keyFile: resolve(io.cwd, keyFile) }) });
}

/** --at as a time or "latest"; a usage error when it is neither. */
function pointOf(args: ReplicaArgs): Date | "latest" {
  const text = args.values.at ?? "latest";
  if (text === "latest") return "latest";
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw args.error(`--at must be latest or a time such as 2026-11-29T07:15:00Z, got '${text}'`);
  return new Date(at);
}

/** --check as a restore's check level; a usage error when it is neither. */
function checkOf(args: ReplicaArgs): RestoreCheck {
  const text = args.values.check ?? "integrity";
  if (text !== "integrity" && text !== "quick") throw args.error(`--check must be integrity or quick, got '${text}'`);
  return text;
}

/**
 * Restores from `target` when it is a replica (or --at was given): the
 * point asked for into `to`, printed; undefined when it is a backup folder.
 *
 * @example
 * const done = await restoreIfReplica(args, io, target, to, onProgress); if (done) return EXIT.ok;
 */
export async function restoreIfReplica(
  args: ReplicaArgs,
  io: Io,
  target: BackupTarget,
  to: string,
  options: { force: boolean; json: boolean; onProgress: OnProgress; print: (value: unknown) => void },
): Promise<RestoreReplicaResult | undefined> {
  if (args.values.at === undefined && !(await isReplica(target))) return undefined;
  const check = checkOf(args);
  const result = await restoreReplica({
    from: target,
    to,
    at: pointOf(args),
    check,
    key: replicaKeyOf(args, io),
    onProgress: options.onProgress,
    ...(options.force && { force: true }),
  });
  if (options.json) options.print(result);
  else {
    io.stdout.write(
      `restored ${to} as of ${new Date(result.restoredAt).toISOString()} (generation ${result.generation}: ` +
        `snapshot and ${plural(result.segments, "segment")}, ${plural(result.transactions, "transaction")} replayed) ` +
        `in ${result.durationMs} ms; ${check === "quick" ? "quick_check" : "integrity_check"} ok, ${Object.entries(
          result.rowCounts,
        )
          .map(([table, rows]) => `${table} ${rows}`)
          .join(", ")}\n`,
    );
  }
  return result;
}

/** Verifies `target` when it is a replica: its latest point restored and checked; undefined for a backup folder. */
export async function verifyIfReplica(
  args: KeyArgs,
  io: Io,
  target: BackupTarget,
  options: { scratch?: string; onProgress: OnProgress },
): Promise<VerifyReplicaResult | undefined> {
  if (!(await isReplica(target))) return undefined;
  return await verifyReplica({
    target,
    key: replicaKeyOf(args, io),
    onProgress: options.onProgress,
    ...(options.scratch && { scratch: options.scratch }),
  });
}
