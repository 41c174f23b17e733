/**
 * The snapshot thread's program (see `snapshotInThread`): plain CommonJS run
 * by a worker thread (eval), so it needs no build step and no TypeScript
 * loader. Messages to the caller: `held` (file-copy: a read transaction
 * holds the snapshot; `wal` when the database is in WAL mode), `copied`
 * (the copy's bytes are final), `done`. From the caller, after `held`:
 * `{ copied, reason? }`, once the file is copied.
 *
 * @example
 * new Worker(SNAPSHOT_SCRIPT, { eval: true, execArgv: [], workerData: { driver, source, file, method: "file-copy" } });
 */
export const SNAPSHOT_SCRIPT = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const quote = (name) => '"' + String(name).replace(/"/g, '""') + '"';
const nextMessage = () => new Promise((resolve) => parentPort.once("message", resolve));

function readFacts(db, newest) {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((r) => r.name);
  const rowCounts = Object.create(null);
  for (const t of tables) rowCounts[t] = db.prepare("SELECT COUNT(*) AS n FROM " + quote(t)).get().n;
  let newestValue = null;
  let newestMissing = false;
  if (newest) {
    if (!tables.includes(newest.table)) newestMissing = true;
    else newestValue = db.prepare("SELECT MAX(" + quote(newest.column) + ") AS v FROM " + quote(newest.table)).get().v;
  }
  const engineVersion = db.prepare("SELECT sqlite_version() AS v").get().v;
  return { rowCounts: { ...rowCounts }, newestValue, newestMissing, engineVersion };
}

(async () => {
  const { source, file, method, newest } = workerData;
  const src = new Database(source, { readonly: true, fileMustExist: true });
  let used = method;
  let fallback;
  try {
    if (method === "file-copy") {
      const wal = String(src.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
      src.exec("BEGIN");
      src.prepare("SELECT COUNT(*) AS n FROM sqlite_schema").get(); // the read transaction starts here
      const answer = nextMessage();
      parentPort.postMessage({ stage: "held", wal });
      const copied = await answer;
      src.exec("COMMIT");
      if (!copied.copied) {
        fallback = copied.reason;
        used = "backup-api";
      }
    }
    // All pages in one step: one read transaction, so concurrent writers cannot force a restart.
    if (used === "backup-api") await src.backup(file, { progress: () => 0x7fffffff });
    else if (used === "vacuum-into") {
      src.pragma("synchronous = OFF");
      src.prepare("VACUUM INTO ?").run(file);
    }
  } finally {
    src.close();
  }
  const copy = new Database(file, { fileMustExist: true });
  try {
    // No fsync inside SQLite: the caller fsyncs the finished file once, overlapped with hashing it.
    copy.pragma("synchronous = OFF");
    // A file that stands alone: a copied log is recovered into it (opening it did) and removed.
    copy.pragma("journal_mode = DELETE");
    parentPort.postMessage({ stage: "copied" });
    const facts = readFacts(copy, newest);
    parentPort.postMessage({ stage: "done", ok: true, ...facts, method: used, ...(fallback ? { fallback } : {}) });
  } finally {
    copy.close();
  }
})().catch((error) => {
  parentPort.postMessage({ stage: "done", ok: false, message: String((error && error.message) || error), code: error && error.code });
});
`;
