import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { replicaError } from "../errors.js";

/** The result of `PRAGMA wal_checkpoint`: whether it was blocked, frames in the log, frames copied into the database. */
export interface CheckpointResult {
  busy: boolean;
  log: number;
  checkpointed: number;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function openConnection(db: string): Database.Database {
  const connection = new Database(db, { fileMustExist: true });
  // Never wait inside SQLite unless told (see `WalGuardOptions.lockWaitMs`): a wait blocks this thread.
  connection.pragma("busy_timeout = 0");
  return connection;
}

/**
 * How a `WalGuard` may use its thread.
 *
 * @example
 * const guard = WalGuard.open("app.db", { lockWaitMs: 10 }); // in the replicator's worker thread
 */
export interface WalGuardOptions {
  /**
   * How long a log restart may wait for SQLite's write lock (default 0: it
   * never waits, as the application's own thread must not). A writer going
   * as fast as it can is almost never between two transactions at one
   * given instant, so a single try mostly finds the lock taken; a thread of
   * the replicator's own can wait a few milliseconds, during which SQLite
   * tries again.
   */
  lockWaitMs?: number;
}

/**
 * The replicator's hold on a SQLite database in WAL mode. It keeps a read
 * transaction open at all times, which is what stops the application's
 * checkpoints from overwriting frames not yet shipped: a checkpoint copies
 * frames into the database only up to the oldest reader's snapshot, and the
 * log restarts from its beginning only when no reader uses it. To move on,
 * a second read transaction starts before the first ends (hand over hand),
 * and the caller reads the log in between, so at every instant a reader
 * protects every frame not yet read. Three connections: two readers
 * (taking turns; the idle one runs checkpoints) and one that takes the
 * write lock for the short moments the log is restarted. None of them
 * waits for a lock (a busy database is tried again at the next tick),
 * except the restart's, for `lockWaitMs` when the thread is the
 * replicator's own.
 *
 * @example
 * const guard = WalGuard.open("app.db");
 * guard.rotate(() => follower.observe());
 * guard.close();
 */
export class WalGuard {
  readonly db: string;
  readonly pageSize: number;
  readonly #readers: [Database.Database, Database.Database];
  readonly #writer: Database.Database;
  /** The reader holding a read transaction, or -1. */
  #holding = -1;
  /** Bumped each time no read transaction was held for a moment: the log may then have moved without us. */
  #gaps = 0;

  private constructor(db: string, readers: [Database.Database, Database.Database], writer: Database.Database) {
    this.db = db;
    this.#readers = readers;
    this.#writer = writer;
    this.pageSize = readers[0].pragma("page_size", { simple: true }) as number;
  }

  /**
   * Opens the database, puts it in WAL mode (it stays so: the mode is
   * stored in the file) and starts holding a read transaction. A missing
   * file, a file that is not a database or one that cannot switch to WAL
   * is a clear error.
   */
  static open(db: string, options: WalGuardOptions = {}): WalGuard {
    if (!existsSync(db)) {
      throw replicaError("sourceMissing", `SQLite database ${db} does not exist`, {
        hint: "check the --db path; replication starts beside an existing database",
      });
    }
    const opened: Database.Database[] = [];
    try {
      for (let i = 0; i < 3; i++) opened.push(openConnection(db));
      const first = opened[0] as Database.Database;
      let mode = String(first.pragma("journal_mode", { simple: true }));
      if (mode !== "wal") mode = String(first.pragma("journal_mode = WAL", { simple: true }));
      if (mode !== "wal") throw new Error(`the journal mode stays '${mode}'`);
      const locking = String(first.pragma("locking_mode", { simple: true }));
      if (locking !== "normal") throw new Error(`locking_mode is '${locking}'`);
      const lockWaitMs = Math.max(0, Math.round(options.lockWaitMs ?? 0));
      (opened[2] as Database.Database).pragma(`busy_timeout = ${lockWaitMs}`);
    } catch (error) {
      for (const c of opened) c.close();
      throw replicaError("sourceInvalid", `cannot replicate ${db}: ${(error as Error).message}`, {
        hint: "point --db at a SQLite database file that other connections can share (WAL mode, normal locking)",
        cause: error,
      });
    }
    const guard = new WalGuard(
      db,
      [opened[0] as Database.Database, opened[1] as Database.Database],
      opened[2] as Database.Database,
    );
    if (!guard.beginRead()) guard.#gaps++;
    return guard;
  }

  /** True while a read transaction is held. */
  get holding(): boolean {
    return this.#holding >= 0;
  }

  /** How many times the hold was interrupted since opening (a changed number means the log may have moved). */
  get gaps(): number {
    return this.#gaps;
  }

  /**
   * Starts a read transaction on the idle reader and then ends the one held
   * before, calling `between` in the middle (where the caller reads the
   * log). Returns false, holding what it held, when the database is busy.
   */
  rotate<T>(between: () => T): T | undefined {
    const previous = this.#holding;
    const next = previous === 0 ? 1 : 0;
    if (!this.#begin(next)) return undefined;
    let result: T;
    try {
      result = between();
    } catch (error) {
      // The log was not read to its end: keep protecting it with the older transaction.
      this.#end(next);
      throw error;
    }
    this.#holding = next;
    if (previous >= 0) this.#end(previous);
    return result;
  }

  /** Starts holding a read transaction if none is held; false when the database is busy. */
  beginRead(): boolean {
    if (this.#holding >= 0) return true;
    if (!this.#begin(0)) return false;
    this.#holding = 0;
    return true;
  }

  /** Ends the held read transaction (the caller must have read the log up to its end first). */
  endRead(): void {
    if (this.#holding < 0) return;
    this.#end(this.#holding);
    this.#holding = -1;
    this.#gaps++;
  }

  /** Runs `PRAGMA wal_checkpoint(mode)` on the idle reader, without waiting for any lock. */
  checkpoint(mode: "PASSIVE" | "TRUNCATE"): CheckpointResult {
    const connection = this.#readers[this.#holding === 0 ? 1 : 0];
    try {
      const row = (connection.pragma(`wal_checkpoint(${mode})`) as unknown[])[0] as {
        busy: number;
        log: number;
        checkpointed: number;
      };
      return { busy: row.busy !== 0, log: row.log, checkpointed: row.checkpointed };
    } catch (error) {
      if (isBusy(error)) return { busy: true, log: -1, checkpointed: -1 };
      throw error;
    }
  }

  /**
   * Lets the log restart: under SQLite's write lock (`BEGIN IMMEDIATE`,
   * rolled back: nothing is written), so no commit happens meanwhile, it
   * calls `readToEnd` (which must read the log up to its end and return
   * true), ends the held read transaction, checkpoints everything into the
   * database (PASSIVE: it never waits), and starts a new read transaction,
   * which, when the checkpoint copied every frame, reads the database file
   * alone and so no longer stops the next writer from restarting the log.
   * Nothing can be lost in between: with the write lock held, nothing is
   * committed and the log cannot restart. Returns undefined, having done
   * nothing, when another connection is writing or `readToEnd` declines;
   * else the checkpoint's result and how long the write lock was held.
   */
  restartLog(readToEnd: () => boolean): { checkpoint: CheckpointResult; writeLockMs: number } | undefined {
    // A duration measured for the record ("writers were blocked this long"), not time the logic depends on.
    const started = performance.now();
    try {
      this.#writer.exec("BEGIN IMMEDIATE");
    } catch (error) {
      if (isBusy(error)) return undefined;
      throw error;
    }
    let checkpoint: CheckpointResult | undefined;
    try {
      if (!readToEnd()) return undefined;
      if (this.#holding >= 0) this.#end(this.#holding);
      this.#holding = -1;
      checkpoint = this.checkpoint("PASSIVE");
      if (this.#begin(0)) this.#holding = 0;
      else this.#gaps++;
    } finally {
      this.#writer.exec("ROLLBACK");
    }
    return { checkpoint, writeLockMs: performance.now() - started };
  }

  /** Ends the read transaction and closes every connection. */
  close(): void {
    this.endRead();
    for (const c of [...this.#readers, this.#writer]) if (c.open) c.close();
  }

  #begin(index: number): boolean {
    const connection = this.#readers[index] as Database.Database;
    try {
      connection.exec("BEGIN");
      // A read transaction starts at its first read.
      connection.prepare("SELECT COUNT(*) FROM sqlite_schema").get();
      return true;
    } catch (error) {
      if (connection.inTransaction) connection.exec("ROLLBACK");
      if (isBusy(error)) return false;
      throw error;
    }
  }

  #end(index: number): void {
    const connection = this.#readers[index] as Database.Database;
    if (connection.inTransaction) connection.exec("COMMIT");
  }
}
