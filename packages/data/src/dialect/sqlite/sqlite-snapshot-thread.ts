import { rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Clock, OnProgress, Timer } from "@nines/core";
import { backupError } from "../../backup/errors.js";
import { bytesProgress } from "../../backup/progress.js";
import { startFileCopier, type WalPosition } from "./sqlite-file-copy.js";
import { SNAPSHOT_SCRIPT } from "./sqlite-snapshot-script.js";

/**
 * How a SQLite snapshot is copied (see `SqliteBackupMethod`).
 *
 * @example
 * const method: SnapshotMethod = "file-copy";
 */
export type SnapshotMethod = "file-copy" | "backup-api" | "vacuum-into";

/**
 * What the thread reports back.
 *
 * @example
 * const { method, rowCounts } = await snapshotInThread({ source, file, method: "file-copy", totalBytes, clock });
 */
export interface ThreadSnapshot {
  engineVersion: string;
  rowCounts: Record<string, number>;
  /** The raw MAX() of the newest-data column; `newestMissing` when its table does not exist. */
  newestValue: unknown;
  newestMissing: boolean;
  /** The method that made the copy: `file-copy` gives way to `backup-api` when the files cannot be copied. */
  method: SnapshotMethod;
  /** Why `file-copy` gave way, when it did. */
  fallback?: string;
  /** `file-copy` of a WAL-mode database, when the copier could tell exactly: the copy's place in the log. */
  wal?: WalPosition;
}

type Reply =
  | { stage: "held"; wal: boolean }
  | { stage: "copied" }
  | ({ stage: "done"; ok: true } & ThreadSnapshot)
  | { stage: "done"; ok: false; message: string; code?: string };

/**
 * Takes a SQLite snapshot on a worker thread, so a multi-gigabyte copy never
 * blocks the caller's event loop: a service can back itself up while it
 * serves. With `file-copy` the thread holds a read transaction while a
 * child process copies the files under it (`startFileCopier`, started
 * ahead), then opens the copy, which recovers the copied log. Every method
 * ends with the copy switched to rollback-journal mode and its rows
 * counted. Progress is the staging file's size, polled on the clock.
 *
 * @example
 * const info = await snapshotInThread({ source: "app.db", file: "/b/.tmp", method: "file-copy", totalBytes, clock: systemClock });
 */
export async function snapshotInThread(options: {
  source: string;
  file: string;
  method: SnapshotMethod;
  newest?: { table: string; column: string };
  totalBytes: number;
  clock: Clock;
  onProgress?: OnProgress;
  /** Called once the copy's bytes are final, while the thread still counts rows; awaited before returning. */
  onCopied?: () => Promise<void>;
}): Promise<ThreadSnapshot> {
  const copier = options.method === "file-copy" ? startFileCopier() : undefined;
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(SNAPSHOT_SCRIPT, {
    eval: true,
    // The script is plain CommonJS: none of the parent's flags (--input-type=module, loaders) apply to it.
    execArgv: [],
    workerData: { driver, source: options.source, file: options.file, method: options.method, newest: options.newest },
  });
  let timer: Timer | undefined;
  const poll = () => {
    void stat(options.file).then(
      (s) => options.onProgress?.(bytesProgress("snapshot", s.size, options.totalBytes)),
      () => undefined, // not created yet
    );
    timer = options.clock.schedule(500, poll);
  };
  if (options.onProgress) timer = options.clock.schedule(500, poll);
  let position: WalPosition | undefined;
  // Whatever goes wrong with the copy, the thread copies with the backup API instead (the reason goes with it).
  const copyHeld = async (wal: boolean) => {
    try {
      if (!copier) throw new Error("no copying process was started");
      ({ position } = await copier.copy({ source: options.source, file: options.file, wal }));
      worker.postMessage({ copied: true });
    } catch (error) {
      position = undefined;
      for (const suffix of ["", "-wal"]) await rm(options.file + suffix, { force: true }).catch(() => undefined);
      worker.postMessage({ copied: false, reason: (error as Error).message });
    }
  };
  let copying: Promise<void> | undefined;
  try {
    let afterCopy: Promise<void> | undefined;
    const reply = await new Promise<Reply & { stage: "done" }>((resolve, reject) => {
      worker.on("message", (message: Reply) => {
        if (message.stage === "done") resolve(message);
        else if (message.stage === "held") copying = copyHeld(message.wal);
        else if (options.onCopied) {
          afterCopy = options.onCopied();
          afterCopy.catch(() => undefined); // observed below; avoid an unhandled rejection meanwhile
        }
      });
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`snapshot thread exited with status ${code} before answering`)));
    });
    await afterCopy;
    if (!reply.ok) {
      const invalid = reply.code === "SQLITE_NOTADB" || reply.code === "SQLITE_CORRUPT";
      throw backupError(
        invalid ? "sourceInvalid" : "targetFailed",
        `snapshot of ${options.source} into ${options.file} failed: ${reply.message}`,
        {
          hint: invalid
            ? "point --db at a sound SQLite database"
            : "check free space and permissions where the backup is staged",
        },
      );
    }
    const { ok: _ok, stage: _stage, ...snapshot } = reply;
    return snapshot.method === "file-copy" && position ? { ...snapshot, wal: position } : snapshot;
  } finally {
    timer?.cancel();
    await copying; // never leave a copy writing into a staging folder that is about to be removed
    await copier?.stop();
    await worker.terminate();
  }
}
