import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Clock, Timer } from "@nines/core";
import { backupError } from "../errors.js";
import type { OnProgress } from "../progress.js";

/** What the thread reports back. */
export interface ThreadSnapshot {
  engineVersion: string;
  rowCounts: Record<string, number>;
  /** The raw MAX() of the newest-data column; `newestMissing` when its table does not exist. */
  newestValue: unknown;
  newestMissing: boolean;
}

// Plain CommonJS run by a worker thread (eval), so it needs no build step and
// no TypeScript loader. It must stay in step with SqliteEngine's contract.
const SCRIPT = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const quote = (name) => '"' + String(name).replace(/"/g, '""') + '"';
(async () => {
  const { source, file, method, newest } = workerData;
  const src = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // All pages in one step: one read transaction, so concurrent writers cannot force a restart.
    if (method === "backup-api") await src.backup(file, { progress: () => 0x7fffffff });
    else {
      // No fsync inside SQLite: the caller fsyncs the file once, overlapped with hashing it.
      src.pragma("synchronous = OFF");
      src.prepare("VACUUM INTO ?").run(file);
    }
  } finally {
    src.close();
  }
  const copy = new Database(file, { fileMustExist: true });
  try {
    // A file that stands alone: no -wal beside it, whatever mode the source was in.
    copy.pragma("journal_mode = DELETE");
    // The file's bytes are final now: the caller hashes and fsyncs it while this thread counts rows.
    parentPort.postMessage({ stage: "copied" });
    const tables = copy
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((r) => r.name);
    const rowCounts = {};
    for (const t of tables) rowCounts[t] = copy.prepare("SELECT COUNT(*) AS n FROM " + quote(t)).get().n;
    let newestValue = null;
    let newestMissing = false;
    if (newest) {
      if (!(newest.table in rowCounts)) newestMissing = true;
      else newestValue = copy.prepare("SELECT MAX(" + quote(newest.column) + ") AS v FROM " + quote(newest.table)).get().v;
    }
    const engineVersion = copy.prepare("SELECT sqlite_version() AS v").get().v;
    parentPort.postMessage({ stage: "done", ok: true, engineVersion, rowCounts, newestValue, newestMissing });
  } finally {
    copy.close();
  }
})().catch((error) => {
  parentPort.postMessage({ stage: "done", ok: false, message: String((error && error.message) || error), code: error && error.code });
});
`;

type Reply =
  | { stage: "copied" }
  | ({ stage: "done"; ok: true } & ThreadSnapshot)
  | { stage: "done"; ok: false; message: string; code?: string };

/**
 * Takes a SQLite snapshot (copy, journal switch, row counts) on a worker
 * thread, so a multi-gigabyte copy never blocks the caller's event loop: a
 * service can back itself up while it serves. Progress is the staging
 * file's size, polled on the clock.
 *
 * @example
 * const info = await snapshotInThread({ source: "app.db", file: "/b/.tmp", method: "backup-api", totalBytes, clock: systemClock });
 */
export async function snapshotInThread(options: {
  source: string;
  file: string;
  method: "backup-api" | "vacuum-into";
  newest?: { table: string; column: string };
  totalBytes: number;
  clock: Clock;
  onProgress?: OnProgress;
  /** Called once the copy's bytes are final, while the thread still counts rows; awaited before returning. */
  onCopied?: () => Promise<void>;
}): Promise<ThreadSnapshot> {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(SCRIPT, {
    eval: true,
    // The script is plain CommonJS: none of the parent's flags (--input-type=module, loaders) apply to it.
    execArgv: [],
    workerData: { driver, source: options.source, file: options.file, method: options.method, newest: options.newest },
  });
  let timer: Timer | undefined;
  const poll = () => {
    void stat(options.file).then(
      (s) => options.onProgress?.({ phase: "snapshot", done: s.size, total: options.totalBytes }),
      () => undefined, // not created yet
    );
    timer = options.clock.schedule(500, poll);
  };
  if (options.onProgress) timer = options.clock.schedule(500, poll);
  try {
    let afterCopy: Promise<void> | undefined;
    const reply = await new Promise<Reply & { stage: "done" }>((resolve, reject) => {
      worker.on("message", (message: Reply) => {
        if (message.stage === "done") resolve(message);
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
    return snapshot;
  } finally {
    timer?.cancel();
    await worker.terminate();
  }
}
