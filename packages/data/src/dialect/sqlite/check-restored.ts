import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import type { RestoredCheck } from "../../backup/backup-engine.js";
import { quoteIdent } from "../quote-ident.js";

/**
 * SQLite's check a restore (of a backup or a replica) runs on the database it rebuilt: `integrity`
 * (`PRAGMA integrity_check`: every b-tree, every index entry against its
 * row; the default) or `quick` (`PRAGMA quick_check`: the same walk
 * without matching indexes to rows, about three times as fast on a large
 * database).
 */
export type RestoreCheck = "integrity" | "quick";

/** The check levels, for option checks and messages. */
export const RESTORE_CHECKS: readonly RestoreCheck[] = ["integrity", "quick"];

// Plain CommonJS for a child process: SQLite's check of one file, read through a memory map (1.5-1.8x as fast as
// a read call per page on 1 GB). The map is why it runs apart: a page the disk fails to read, or a file cut
// short under it, ends the reading process with SIGBUS, which must end the check, not the application.
// Arguments: the file, its size, better-sqlite3's path, the pragma. Answers with the problems as one JSON line.
const CHECK_SCRIPT = `
"use strict";
const [file, size, driver, pragma] = process.argv.slice(1);
const Database = require(driver);
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma("mmap_size = " + Number(size));
const problems = db.pragma(pragma).map((row) => row[pragma]).filter((line) => line !== "ok");
db.close();
process.stdout.write(JSON.stringify(problems) + "\\n");
`;

const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");

/**
 * Files from this size on are checked apart, through a memory map; smaller
 * ones here, with a read call per page: a child process costs 70-100 ms to
 * start, about what the map saves on 128 MiB (1 GB: 1.1-1.3 s apart
 * against 1.7-2.5 s here).
 */
export const CHECK_APART_BYTES = 128 * 1024 * 1024;

/**
 * Runs SQLite's check at `level` on a restored file and counts the rows of
 * every table; `problems` is empty when the database passed. A file of
 * {@link CHECK_APART_BYTES} or more is checked in a child process that
 * reads it through a memory map (see CHECK_SCRIPT); the row counts are read
 * here. `apartFrom` moves that size (tests).
 *
 * @example
 * const { problems, rowCounts } = await checkRestored("/tmp/restored.sqlite", "quick");
 */
export async function checkRestored(
  file: string,
  level: RestoreCheck,
  apartFrom = CHECK_APART_BYTES,
): Promise<RestoredCheck> {
  const pragma = level === "quick" ? "quick_check" : "integrity_check";
  let db: Database.Database | undefined;
  try {
    // Opened first: a file that is not a database, or is missing, is said so without starting a process.
    db = new Database(file, { readonly: true, fileMustExist: true });
    const size = statSync(file).size;
    const found =
      size >= apartFrom
        ? await checkApart(file, size, pragma)
        : (db.pragma(pragma) as Record<string, string>[]).map((row) => row[pragma] as string).filter((r) => r !== "ok");
    return { problems: found.map((p) => `${pragma}: ${p}`), rowCounts: countRows(db) };
  } catch (error) {
    return { problems: [`cannot read the restored database: ${(error as Error).message}`], rowCounts: {} };
  } finally {
    db?.close();
  }
}

/** The check's problems as its child process reports them; rejects with why it did not answer. */
function checkApart(file: string, size: number, pragma: string): Promise<string[]> {
  // The script is plain CommonJS: the parent's loaders (NODE_OPTIONS=--import ...) would only slow its start.
  const { NODE_OPTIONS: _loaders, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", CHECK_SCRIPT, file, String(size), driverPath, pragma],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          // What SQLite said (its error's message), or how the process ended: SIGBUS is a page it could not read.
          const said = /Error: ([^\n]*)/.exec(stderr)?.[1];
          const how = error.signal
            ? `its check was ended by ${error.signal}${error.signal === "SIGBUS" ? " (a page the disk could not read, or a file cut short)" : ""}`
            : `its check failed (exit ${error.code})`;
          reject(new Error(said ?? how));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as string[]);
        } catch {
          reject(
            new Error(`SQLite's check of ${file} answered something else than its problems: ${stdout.slice(0, 200)}`),
          );
        }
      },
    );
  });
}

/** Rows per table (every table but SQLite's own), each counted by reading it. */
function countRows(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = (db.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdent(name)}`).get() as { n: number }).n;
  }
  return counts;
}
