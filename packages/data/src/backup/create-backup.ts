import { tmpdir } from "node:os";
import {
  type Clock,
  type OnProgress,
  type Random,
  requireKnownOptions,
  requireOption,
  systemClock,
  systemRandom,
} from "@nines/core";
import type { Dialect } from "../dialect/dialect.js";
import { dialectFor } from "../dialect/dialect-for.js";
import { openBackupWriter } from "./backup-writer.js";
import { fileChecksum } from "./checksum.js";
import { pauseForCrashTest } from "./crash-point.js";
import { backupError } from "./errors.js";
import { unwritableFolder } from "./fs-errors.js";
import { sweepIncomplete } from "./incomplete.js";
import { type BackupManifest, backupId } from "./manifest.js";
import { bytesProgress, noteProgress } from "./progress.js";
import { StagingArea } from "./staging/staging-area.js";
import { type StagingInfo, sweepStaging } from "./staging/sweep-staging.js";
import { LocalDirTarget } from "./targets/local-dir-target.js";
import type { BackupTarget, TargetBody } from "./targets/target.js";

const MANIFEST_FILE = "manifest.json";

/**
 * Options of {@link createBackup}.
 *
 * @example
 * const options: CreateBackupOptions = { source: "app.db", targets: [openTarget("/backups")], newestColumn: "orders.created_at" };
 */
export interface CreateBackupOptions {
  /** The database: a SQLite file path or a PostgreSQL URL. */
  source: string;
  /** The engine's dialect; `dialectFor(source)` by default (give one to set its options, e.g. the SQLite backup method). */
  dialect?: Dialect;
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
  /** What killed backups had left in the targets (staging folders, unfinished backups) and the scratch folder, removed before this one. */
  removed: StagingInfo[];
}

const KNOWN = ["source", "dialect", "targets", "newestColumn", "clock", "random", "onProgress"];

/** Where the snapshot is written: the first local target (so storing it there is a hard link), else a temporary folder. */
async function openSnapshotStaging(
  local: LocalDirTarget | undefined,
  clock: Clock,
): Promise<{ area: StagingArea; removed: StagingInfo[] }> {
  if (local) return { area: await local.openStaging("backup"), removed: [] };
  const folder = tmpdir();
  const removed = await sweepStaging(folder, clock.now());
  const area = await StagingArea.create(folder, { operation: "backup", clock }).catch((error: unknown) => {
    throw unwritableFolder(folder, "scratch folder", error);
  });
  return { area, removed };
}

/**
 * Stores the files of one backup at a target, the manifest last, so that
 * the backup appears complete or not at all (see `openBackupWriter`).
 */
async function storeBackup(
  target: BackupTarget,
  id: string,
  clock: Clock,
  files: [name: string, body: TargetBody][],
): Promise<void> {
  const folder = await openBackupWriter(target, id, clock);
  try {
    for (const [name, body] of files) {
      if (name === MANIFEST_FILE) pauseForCrashTest("before-manifest");
      await folder.put(name, body);
    }
    await folder.commit();
  } finally {
    await folder.release();
  }
}

/**
 * Takes one backup: a consistent snapshot into a staging folder (inside the
 * first local target's folder when there is one, so storing it there is a
 * hard link rather than a copy), its checksum and size, then for each
 * target the data and, last, the manifest. A local target gets the whole
 * backup folder written in a staging folder and renamed into place, so a
 * killed backup never leaves a folder under a backup's id; an S3 target
 * gets the objects with a lease beside them until the manifest is there.
 * A backup whose manifest is missing never finished and is never restored.
 * Local targets are checked first (a file, a link to nothing, a folder
 * that cannot be created are refused before anything is written), and
 * what killed backups left in the targets (staging folders, unfinished
 * backups whose writer is gone) is removed, never what a live one is
 * writing. If some targets fail, the others keep the backup and the error
 * names the failed ones.
 *
 * @example
 * const { manifest } = await createBackup({
 *   source: "app.db",
 *   targets: [openTarget("/mnt/region-b/backups")],
 *   newestColumn: "orders.created_at",
 * });
 * console.log(manifest.id, manifest.sizeBytes, manifest.checksum.value);
 */
export async function createBackup(options: CreateBackupOptions): Promise<CreateBackupResult> {
  requireKnownOptions("createBackup", options, KNOWN);
  requireOption(options.targets.length > 0, "createBackup", "targets", options.targets.length, "at least one target");
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const { onProgress } = options;
  const dialect = options.dialect ?? dialectFor(options.source);
  const engine = dialect.backup;
  const started = clock.now();
  const id = backupId(started, random);

  const locals = options.targets.filter((t): t is LocalDirTarget => t instanceof LocalDirTarget);
  let completed = false;
  let area: StagingArea | undefined;
  try {
    for (const target of locals) await target.prepare();
    const removed: StagingInfo[] = [];
    for (const target of options.targets) {
      removed.push(...((await target.sweepStaging?.()) ?? []));
      // A target that cannot even be listed fails below with the others kept; it is not a reason to stop here.
      const unfinished = await sweepIncomplete(target, clock.now()).catch((error: unknown) => {
        const reason = (error as Error).message;
        onProgress?.(noteProgress("warning", `could not look for unfinished backups in ${target.location}: ${reason}`));
        return [];
      });
      removed.push(...unfinished);
    }
    const staging = await openSnapshotStaging(locals[0], clock);
    area = staging.area;
    removed.push(...staging.removed);
    const file = area.path(engine.dataFile);
    const info = await engine.snapshot({
      source: options.source,
      file,
      ...(options.newestColumn === undefined ? {} : { newestColumn: options.newestColumn }),
      ...(onProgress ? { onProgress } : {}),
    });
    const { checksum, size } =
      info.checksum !== undefined && info.sizeBytes !== undefined
        ? { checksum: info.checksum, size: info.sizeBytes }
        : await fileChecksum(file, (done) => onProgress?.(bytesProgress("checksum", done, null)));
    // Hashed during the copy or after it, say so: people watching a long backup see every phase.
    if (info.checksum !== undefined) onProgress?.(bytesProgress("checksum", size, size));
    const finished = clock.now();
    const manifest: BackupManifest = {
      format: 2,
      id,
      engine: dialect.name,
      engineVersion: info.engineVersion,
      source: dialect.redact(options.source),
      method: info.method,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      dataFile: engine.dataFile,
      sizeBytes: size,
      checksum,
      rowCounts: info.rowCounts,
      ...(info.newestDataAt === undefined
        ? {}
        : { newestData: { column: options.newestColumn as string, at: new Date(info.newestDataAt).toISOString() } }),
    };
    const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    const stored: string[] = [];
    const failures: { location: string; error: unknown }[] = [];
    for (const target of options.targets) {
      try {
        onProgress?.(bytesProgress("upload", 0, size, target.location));
        await storeBackup(target, id, clock, [
          [engine.dataFile, { file }],
          [MANIFEST_FILE, { bytes }],
        ]);
        onProgress?.(bytesProgress("upload", size, size, target.location));
        stored.push(target.location);
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
            stored.length > 0
              ? `it is complete in ${stored.join(", ")}; fix the others and back up again`
              : "fix the targets and back up again",
          cause: failures[0]?.error,
          details: { id, stored },
        },
      );
    }
    completed = true;
    return { manifest, stored, removed };
  } finally {
    await area?.release();
    if (!completed) for (const target of locals) await target.discardIfUnused();
  }
}
