import { type Clock, isNinesError, type OnProgress, requireKnownOptions, systemClock } from "@nines/core";
import { dialectNamed } from "../../dialect/dialect-for.js";
import { listBackups, noBackups } from "../catalog.js";
import { backupError } from "../errors.js";
import { type BackupManifest, manifestKey, parseManifest } from "../manifest.js";
import { noteProgress } from "../progress.js";
import { restoreBackup } from "../restore-backup.js";
import type { BackupTarget } from "../targets/target.js";
import { type VerificationRecord, verificationKey } from "./verification-record.js";

/**
 * Options of {@link verifyBackup}.
 *
 * @example
 * const options: VerifyBackupOptions = { target: openTarget("/backups"), copies: [openTarget("s3://b/app")], scratch: "/var/tmp" };
 */
export interface VerifyBackupOptions {
  /** Where the backup is restored from; the record is written there. */
  target: BackupTarget;
  /**
   * Other targets holding copies of the same backups (the other `--to` of
   * the backup): the record is also written to each one that has this
   * backup with the same checksum, so the copy there counts as verified.
   */
  copies?: readonly BackupTarget[];
  /** The backup to verify; the newest by default. */
  id?: string;
  /**
   * Scratch space: an existing folder for SQLite backups (the temporary
   * folder by default), a PostgreSQL server URL for pg dumps (a throwaway
   * database `nines_verify_<random>` is created there and dropped afterwards).
   */
  scratch?: string;
  clock?: Clock;
  onProgress?: OnProgress;
}

/** The outcome of {@link verifyBackup}: the record, and every location it was written to. */
export interface VerifyBackupResult {
  record: VerificationRecord;
  recordedIn: string[];
}

function compareCounts(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [table, rows] of Object.entries(expected)) {
    if (actual[table] !== rows)
      problems.push(
        `table ${table}: manifest says ${rows} ${rows === 1 ? "row" : "rows"}, restored copy has ${actual[table] ?? "no table"}`,
      );
  }
  for (const table of Object.keys(actual)) {
    if (!(table in expected)) problems.push(`table ${table} is in the restored copy but not in the manifest`);
  }
  return problems;
}

/** The copy's manifest of the same backup, when it holds one with the same checksum. */
async function sameBackupIn(copy: BackupTarget, manifest: BackupManifest): Promise<boolean> {
  try {
    const theirs = parseManifest(await copy.read(manifestKey(manifest.id)));
    return (
      theirs.checksum.scheme === manifest.checksum.scheme &&
      theirs.checksum.value === manifest.checksum.value &&
      theirs.sizeBytes === manifest.sizeBytes
    );
  } catch {
    return false;
  }
}

const KNOWN = ["target", "copies", "id", "scratch", "clock", "onProgress"];

/**
 * Proves a backup restores ("no one wants backups, they want restores"):
 * restores the newest backup (or `id`) into scratch space, checks integrity
 * (`PRAGMA integrity_check`, or pg_restore's success and a query per table)
 * and the row counts against the manifest, measures RTO (time to restore)
 * and RPO (age of the newest data in the backup now), and stores the record
 * beside the backup, and beside each copy of it in `copies`, whatever the
 * outcome. The scratch copy is removed. A corrupt newest backup is a failed
 * verification, not a fallback. A scratch folder that does not exist is
 * refused before anything is restored.
 *
 * @example
 * const { record } = await verifyBackup({ target: openTarget("./backups"), copies: [openTarget("s3://b/app")] });
 * if (!record.ok) console.error(record.problems.join("\n"));
 * console.log(`RTO ${record.rtoMs} ms, RPO ${record.rpoMs} ms`);
 */
export async function verifyBackup(options: VerifyBackupOptions): Promise<VerifyBackupResult> {
  requireKnownOptions("verifyBackup", options, KNOWN);
  const clock = options.clock ?? systemClock;
  const catalog = await listBackups(options.target, { clock });
  const newestAny = [...catalog.backups.map((b) => b.id), ...catalog.unreadable.map((u) => u.id)].sort().at(-1);
  const id = options.id ?? newestAny;
  if (id === undefined) throw noBackups(options.target);
  const manifest = catalog.backups.find((b) => b.id === id);
  const broken = catalog.unreadable.find((b) => b.id === id);
  if (!manifest && !broken) {
    throw backupError("notFound", `no backup with id '${id}' in ${options.target.location}`, {
      hint: "list the backups with 'nines data backups --from LOCATION'",
    });
  }

  const dialect = dialectNamed(manifest?.engine ?? "sqlite");
  const scratch = await dialect.scratch({
    ...(options.scratch === undefined ? {} : { near: options.scratch }),
    purpose: "verify",
    clock,
  });
  const started = clock.now();
  let problems: string[] = [];
  let rtoMs = 0;
  let actualRows: Record<string, number> = {};
  try {
    if (broken) throw backupError("corrupt", `backup ${id}: ${broken.reason}`);
    const restored = await restoreBackup({
      from: options.target,
      to: scratch.location,
      id,
      dialect,
      clock,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    rtoMs = restored.durationMs;
    options.onProgress?.(noteProgress("check", `integrity and row counts of ${id}`));
    const check = await dialect.backup.check(scratch.location);
    actualRows = check.rowCounts;
    problems = [...check.problems, ...compareCounts(manifest?.rowCounts ?? {}, check.rowCounts)];
  } catch (error) {
    if (!isNinesError(error)) throw error;
    problems = [`restore failed: ${error.message}`];
    rtoMs = clock.now() - started;
  } finally {
    await scratch.release().catch(() => undefined);
  }

  const verifiedAt = clock.now();
  const newestData = manifest?.newestData ? Date.parse(manifest.newestData.at) : undefined;
  const basis = newestData ?? (manifest ? Date.parse(manifest.startedAt) : verifiedAt);
  const record: VerificationRecord = {
    format: 1,
    backupId: id,
    ...(manifest ? { checksum: manifest.checksum } : {}),
    verifiedAt: new Date(verifiedAt).toISOString(),
    ok: problems.length === 0,
    problems,
    rtoMs,
    rpoMs: Math.max(0, verifiedAt - basis),
    rpoBasis: newestData === undefined ? "backup-start" : "newest-data",
    expectedRows: manifest?.rowCounts ?? {},
    actualRows,
    verifiedFrom: options.target.location,
  };
  const body = { bytes: new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`) };
  await options.target.put(verificationKey(record), body);
  const recordedIn = [options.target.location];
  for (const copy of options.copies ?? []) {
    if (copy.location === options.target.location || !manifest || !(await sameBackupIn(copy, manifest))) continue;
    await copy.put(verificationKey(record), body);
    recordedIn.push(copy.location);
  }
  return { record, recordedIn };
}
