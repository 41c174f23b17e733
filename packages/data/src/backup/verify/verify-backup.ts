import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, isNinesError, systemClock } from "@nines/core";
import { listBackups, noBackups } from "../catalog.js";
import { engineNamed } from "../engines/engine-for.js";
import { backupError } from "../errors.js";
import type { OnProgress } from "../progress.js";
import { restoreBackup } from "../restore-backup.js";
import type { BackupTarget } from "../targets/target.js";
import { type VerificationRecord, verificationKey } from "./verification-record.js";

export interface VerifyBackupOptions {
  /** Where the backups are; the record is written there too. */
  target: BackupTarget;
  /** The backup to verify; the newest by default. */
  id?: string;
  /**
   * Scratch space: a directory for SQLite backups (a temporary one by
   * default), a PostgreSQL server URL for pg dumps (a throwaway database
   * `nines_verify_<random>` is created there and dropped afterwards).
   */
  scratch?: string;
  clock?: Clock;
  onProgress?: OnProgress;
}

function scratchDatabase(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/nines_verify_${randomBytes(4).toString("hex")}`;
  return url.toString();
}

function compareCounts(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [table, rows] of Object.entries(expected)) {
    if (actual[table] !== rows)
      problems.push(`table ${table}: manifest says ${rows} rows, restored copy has ${actual[table] ?? "no table"}`);
  }
  for (const table of Object.keys(actual)) {
    if (!(table in expected)) problems.push(`table ${table} is in the restored copy but not in the manifest`);
  }
  return problems;
}

/**
 * Proves a backup restores ("no one wants backups, they want restores"):
 * restores the newest backup (or `id`) into scratch space, checks integrity
 * (`PRAGMA integrity_check`, or pg_restore's success and a query per table)
 * and the row counts against the manifest, measures RTO (time to restore)
 * and RPO (age of the newest data in the backup now), and stores the record
 * beside the backups, whatever the outcome. The scratch copy is removed.
 * A corrupt newest backup is a failed verification, not a fallback.
 *
 * @example
 * const record = await verifyBackup({ target: openTarget("./backups") });
 * if (!record.ok) console.error(record.problems.join("\n"));
 * console.log(`RTO ${record.rtoMs} ms, RPO ${record.rpoMs} ms`);
 */
export async function verifyBackup(options: VerifyBackupOptions): Promise<VerificationRecord> {
  const clock = options.clock ?? systemClock;
  const catalog = await listBackups(options.target);
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

  const engine = engineNamed(manifest?.engine ?? "sqlite");
  let scratchDir: string | undefined;
  let location: string;
  if (engine.name === "postgres") {
    if (!options.scratch) {
      throw backupError("targetInvalid", `backup ${id} is a PostgreSQL dump; verifying it needs a scratch server`, {
        hint: "pass --scratch postgres://USER@HOST:PORT/postgres (a throwaway database is created and dropped there)",
      });
    }
    location = scratchDatabase(options.scratch);
  } else {
    scratchDir = await mkdtemp(join(options.scratch ?? tmpdir(), "nines-verify-"));
    location = join(scratchDir, "restored.sqlite");
  }

  const started = clock.now();
  let problems: string[] = [];
  let rtoMs = 0;
  let actualRows: Record<string, number> = {};
  try {
    if (broken) throw backupError("corrupt", `backup ${id}: ${broken.reason}`);
    const restored = await restoreBackup({
      from: options.target,
      to: location,
      id,
      engine,
      clock,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    rtoMs = restored.durationMs;
    options.onProgress?.({ phase: "check", message: `integrity and row counts of ${id}` });
    const check = await engine.check(location);
    actualRows = check.rowCounts;
    problems = [...check.problems, ...compareCounts(manifest?.rowCounts ?? {}, check.rowCounts)];
  } catch (error) {
    if (!isNinesError(error)) throw error;
    problems = [`restore failed: ${error.message}`];
    rtoMs = clock.now() - started;
  } finally {
    await engine.drop(location).catch(() => undefined);
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
  }

  const verifiedAt = clock.now();
  const newestData = manifest?.newestData ? Date.parse(manifest.newestData.at) : undefined;
  const basis = newestData ?? (manifest ? Date.parse(manifest.startedAt) : verifiedAt);
  const record: VerificationRecord = {
    format: 1,
    backupId: id,
    verifiedAt: new Date(verifiedAt).toISOString(),
    ok: problems.length === 0,
    problems,
    rtoMs,
    rpoMs: Math.max(0, verifiedAt - basis),
    rpoBasis: newestData === undefined ? "backup-start" : "newest-data",
    expectedRows: manifest?.rowCounts ?? {},
    actualRows,
  };
  await options.target.put(verificationKey(record), {
    bytes: new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`),
  });
  return record;
}
