import { type Clock, isNinesError, type OnProgress, requireKnownOptions, systemClock } from "@nines/core";
import type { BackupTarget } from "../../backup/targets/target.js";
import { type VerificationRecord, verificationKey } from "../../backup/verify/verification-record.js";
import { SqliteDialect } from "../../dialect/sqlite/sqlite-dialect.js";
import { type RestoreReplicaResult, restoreReplica } from "../restore/restore-replica.js";

export interface VerifyReplicaOptions {
  /** The replica location; the record is written there. */
  target: BackupTarget;
  key?: Uint8Array | undefined;
  /** An existing folder to restore into (the temporary folder by default). */
  scratch?: string;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** The outcome of {@link verifyReplica}: the record, where it was written, and the restore when it succeeded. */
export interface VerifyReplicaResult {
  record: VerificationRecord;
  recordedIn: string[];
  restore?: RestoreReplicaResult;
}

const KNOWN = ["target", "key", "scratch", "clock", "onProgress"];

/**
 * Proves a replica restores: restores its latest point into scratch space
 * (with every check `restoreReplica` makes: object tags, the chain, SQLite's
 * frame checksums, `integrity_check`, a count of every table's rows),
 * measures the RTO (time to restore) and the RPO (age of the newest
 * transaction restored, now), and writes the record beside the replica in
 * the same format as backup verifications (`verifications/*.json`, `backupId`
 * being `<generation>.<last segment>`), so `checkVerificationAge` and
 * `tested:` work the same. A failed restore is a failed record, not an
 * exception.
 *
 * @example
 * const { record } = await verifyReplica({ target: openTarget("s3://replicas/app"), key });
 * console.log(record.ok, record.rtoMs, record.rpoMs);
 */
export async function verifyReplica(options: VerifyReplicaOptions): Promise<VerifyReplicaResult> {
  requireKnownOptions("verifyReplica", options, KNOWN);
  const clock = options.clock ?? systemClock;
  const dialect = new SqliteDialect({ clock });
  const scratch = await dialect.scratch({
    ...(options.scratch === undefined ? {} : { near: options.scratch }),
    purpose: "verify",
    clock,
  });
  const started = clock.now();
  let restore: RestoreReplicaResult | undefined;
  let problems: string[] = [];
  try {
    restore = await restoreReplica({
      from: options.target,
      to: scratch.location,
      key: options.key,
      clock,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    if (!isNinesError(error)) throw error;
    problems = [`restore failed: ${error.message}`];
  } finally {
    await scratch.release().catch(() => undefined);
  }
  const verifiedAt = clock.now();
  const last = restore?.lastSegment?.split("/").at(-1)?.slice(0, 10) ?? "snapshot";
  const record: VerificationRecord = {
    format: 1,
    backupId: restore ? `${restore.generation}.${last}` : "replica",
    verifiedAt: new Date(verifiedAt).toISOString(),
    ok: problems.length === 0,
    problems,
    rtoMs: restore ? restore.durationMs : verifiedAt - started,
    rpoMs: restore ? Math.max(0, verifiedAt - restore.restoredAt) : 0,
    rpoBasis: "newest-data",
    expectedRows: {},
    actualRows: restore?.rowCounts ?? {},
    verifiedFrom: options.target.location,
  };
  await options.target.put(verificationKey(record), {
    bytes: new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`),
  });
  return { record, recordedIn: [options.target.location], ...(restore ? { restore } : {}) };
}
