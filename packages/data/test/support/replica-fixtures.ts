// Databases and checks shared by the replication tests: an application
// database whose every transaction inserts one ledger row and updates a
// running total, so a restored copy shows at once whether it is a prefix of
// the committed transactions (ids 1..n, no gap) and whether any transaction
// is torn (the total disagrees with the rows).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

/** A fresh temporary folder. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `nines-${name}-`));
}

/** Creates (or opens) the application database in WAL mode with its two tables. */
export function openAppDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  db.exec(`CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS totals (id INTEGER PRIMARY KEY CHECK (id = 1), rows INTEGER NOT NULL, sum INTEGER NOT NULL);
    INSERT OR IGNORE INTO totals VALUES (1, 0, 0);`);
  return db;
}

/**
 * One transaction: the next ledger row (its id is the transaction's number,
 * `noteBytes` of text to make pages) and the totals. Returns the id. It
 * reads before it writes, so it starts with BEGIN IMMEDIATE: a deferred one
 * would get SQLITE_BUSY, without waiting, whenever another connection (the
 * replicator restarting the log) holds the write lock as it upgrades.
 */
export function commitOne(db: Database.Database, noteBytes = 40): number {
  return db
    .transaction(() => {
      const { rows } = db.prepare("SELECT rows FROM totals WHERE id = 1").get() as { rows: number };
      const id = rows + 1;
      const amount = (id * 7919) % 1000;
      db.prepare("INSERT INTO ledger (id, amount, note) VALUES (?, ?, ?)").run(
        id,
        amount,
        `n${id}`.padEnd(noteBytes, "."),
      );
      db.prepare("UPDATE totals SET rows = rows + 1, sum = sum + ? WHERE id = 1").run(amount);
      return id;
    })
    .immediate();
}

/** What a copy of the database holds, for comparisons. */
export interface LedgerState {
  ids: number[];
  rows: number;
  sum: number;
  /** SUM(amount) of the ledger. */
  ledgerSum: number;
}

/** Reads a database file (read-only). */
export function ledgerOf(file: string): LedgerState {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const ids = (db.prepare("SELECT id FROM ledger ORDER BY id").all() as { id: number }[]).map((r) => r.id);
    const totals = db.prepare("SELECT rows, sum FROM totals WHERE id = 1").get() as { rows: number; sum: number };
    const { s } = db.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM ledger").get() as { s: number };
    return { ids, rows: totals.rows, sum: totals.sum, ledgerSum: s };
  } finally {
    db.close();
  }
}

/**
 * Whether `restored` is a prefix of the committed transactions `committed`
 * (ids 1..k in order, k at most the committed count), with no torn
 * transaction (the totals match the rows).
 */
export function prefixCheck(restored: LedgerState, committed: number): { k: number; torn: boolean; gap: boolean } {
  const k = restored.ids.length;
  const gap = restored.ids.some((id, i) => id !== i + 1) || k > committed;
  const torn = restored.rows !== k || restored.sum !== restored.ledgerSum;
  return { k, torn, gap };
}
