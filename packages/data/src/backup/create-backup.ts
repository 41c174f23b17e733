import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, type Random, requireOption, systemClock, systemRandom } from "@nines/core";
import type { ChecksumScheme } from "./block-checksum.js";
import { fileChecksum } from "./checksum.js";
import type { BackupEngine } from "./engines/engine.js";
import { backupError } from "./errors.js";
import { type BackupManifest, backupId, manifestKey } from "./manifest.js";
import type { OnProgress } from "./progress.js";
import { LocalDirTarget } from "./targets/local-dir-target.js";
import type { BackupTarget } from "./targets/target.js";

export interface CreateBackupOptions {
  /** The database: a SQLite file path or a PostgreSQL URL, as the engine expects. */
  source: string;
  engine: BackupEngine;
  /** Where to keep it; every target gets the same data and manifest. At least one. */
  targets: readonly BackupTarget[];
  /** `table.column` with timestamps; its newest value is recorded as the backup's data age (RPO). */
  newestColumn?: string;
  clock?: Clock;
  random?: Random;
  onProgress?: OnProgress;
}

/** The outcome of {@link createBackup}. */
export interface CreateBackupResult {
  manifest: BackupManifest;
  /** Locations that hold the backup. */
  stored: string[];
}

/**
 * Takes one backup: a consistent snapshot into a staging file (inside the
 * first local target's folder when there is one, so storing it there is a
 * hard link rather than a copy), its SHA-256 and size, then for each target
 * the data and, last, the manifest. A backup whose manifest is missing
 * never finished and is never restored. If some targets fail, the others
 * keep the backup and the error names the failed ones.
 *
 * @example
 * const { manifest } = await createBackup({
 *   source: "app.db",
 *   engine: new SqliteEngine(),
 *   targets: [new LocalDirTarget("/mnt/region-b/backups")],
 *   newestColumn: "orders.created_at",
 * });
 * console.log(manifest.id, manifest.sizeBytes, manifest.sha256);
 */
export async function createBackup(options: CreateBackupOptions): Promise<CreateBackupResult> {
  requireOption(options.targets.length > 0, "createBackup", "targets", options.targets.length, "at least one target");
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const { engine, onProgress } = options;
  const started = clock.now();
  const id = backupId(started, random);

  const local = options.targets.find((t): t is LocalDirTarget => t instanceof LocalDirTarget);
  const stagingDir = await mkdtemp(join(tmpdir(), "nines-backup-"));
  const file = local ? await local.stagingPath(engine.dataFile) : join(stagingDir, engine.dataFile);
  let completed = false;
  try {
    const info = await engine.snapshot({
      source: options.source,
      file,
      ...(options.newestColumn === undefined ? {} : { newestColumn: options.newestColumn }),
      ...(onProgress ? { onProgress } : {}),
    });
    const { sha256, size, checksum }: { sha256: string; size: number; checksum?: ChecksumScheme | undefined } =
      info.sha256 !== undefined && info.sizeBytes !== undefined
        ? { sha256: info.sha256, size: info.sizeBytes, checksum: info.checksum }
        : await fileChecksum(file, (done) => onProgress?.({ phase: "checksum", done }));
    // Hashed during the copy or after it, say so: people watching a long backup see every phase.
    if (info.sha256 !== undefined) onProgress?.({ phase: "checksum", done: size, total: size });
    const finished = clock.now();
    const manifest: BackupManifest = {
      format: 1,
      id,
      engine: engine.name,
      engineVersion: info.engineVersion,
      source: engine.describe(options.source),
      method: info.method,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      dataFile: engine.dataFile,
      sizeBytes: size,
      sha256,
      ...(checksum === undefined ? {} : { checksum }),
      rowCounts: info.rowCounts,
      ...(info.newestDataAt === undefined
        ? {}
        : { newestData: { column: options.newestColumn as string, at: new Date(info.newestDataAt).toISOString() } }),
    };
    const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    const locations: string[] = [];
    const failures: { location: string; error: unknown }[] = [];
    for (const target of options.targets) {
      try {
        onProgress?.({ phase: "upload", message: target.location, total: size });
        await target.put(`${id}/${engine.dataFile}`, { file });
        await target.put(manifestKey(id), { bytes });
        locations.push(target.location);
      } catch (error) {
        failures.push({ location: target.location, error });
      }
    }
    if (failures.length > 0) {
      const list = failures.map((f) => `${f.location}: ${(f.error as Error).message}`).join("; ");
      throw backupError(
        "targetFailed",
        `backup ${id} could not be stored in ${failures.length} of ${options.targets.length} targets (${list})`,
        {
          hint:
            locations.length > 0
              ? `it is complete in ${locations.join(", ")}; fix the others and back up again`
              : "fix the targets and back up again",
          cause: failures[0]?.error,
          details: { id, stored: locations },
        },
      );
    }
    completed = true;
    return { manifest, stored: locations };
  } finally {
    await rm(file, { force: true });
    if (!completed) await local?.discardStaging();
    await rm(stagingDir, { recursive: true, force: true });
  }
}
