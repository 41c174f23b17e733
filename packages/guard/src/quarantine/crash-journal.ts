import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { GUARD_ERRORS, GuardError } from "../errors.js";

/** One strike as kept in the journal. */
export interface JournalStrike {
  at: number;
  fingerprint: string;
  reason: StrikeReason;
}

/** What a strike counts: the process died, the handler threw, it timed out, or it used too much CPU or memory. */
export type StrikeReason = "crash" | "error" | "timeout" | "cpu" | "memory";
const STRIKE_REASONS: ReadonlySet<string> = new Set<StrikeReason>(["crash", "error", "timeout", "cpu", "memory"]);

/** What the journal held when it was opened. */
export interface JournalState {
  /** Strikes recorded before, plus one `crash` strike for each request that was in flight when the process died. */
  strikes: JournalStrike[];
  /** Fingerprints that were in flight when the process died. */
  crashed: string[];
}

const MAX_FINGERPRINT = 300;

/** Fingerprints go on one line each: no newlines, bounded length. */
function clean(fingerprint: string): string {
  return fingerprint.replace(/[\r\n\t]/g, " ").slice(0, MAX_FINGERPRINT);
}

/**
 * A small append-only file that survives the crash it is there to explain:
 * a line `B id fingerprint` when a request starts, `E id` when it ends,
 * `S time reason fingerprint` for a strike. A request whose `B` has no `E`
 * when the journal is next opened was running when the process died. Lines
 * are written with one `write` each and no fsync: the operating system
 * keeps them across a process crash (not across a machine crash, which is
 * not a query of death). The file is compacted at open and when it grows
 * past `maxBytes` (temp file, fsync, rename).
 *
 * @example
 * const { journal, state } = CrashJournal.open("/var/lib/app/qod.journal", { now: Date.now(), windowMs: 600_000 });
 * const id = journal.begin("GET /search|q=%00");
 * // ... serve ...
 * journal.end(id);
 */
export class CrashJournal {
  readonly path: string;
  readonly #maxBytes: number;
  #fd: number;
  #next = 1;
  #open = new Map<number, string>();
  #strikes: JournalStrike[];
  #bytes = 0;
  #windowMs: number;

  private constructor(path: string, fd: number, strikes: JournalStrike[], windowMs: number, maxBytes: number) {
    this.path = path;
    this.#fd = fd;
    this.#strikes = strikes;
    this.#windowMs = windowMs;
    this.#maxBytes = maxBytes;
  }

  /**
   * Opens (or creates) the journal, reads what the last process left, and
   * compacts it to the strikes still inside `windowMs` of `now`.
   */
  static open(
    path: string,
    options: { now: number; windowMs: number; maxBytes?: number },
  ): { journal: CrashJournal; state: JournalState } {
    const strikes: JournalStrike[] = [];
    const running = new Map<string, string>();
    if (existsSync(path)) {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        throw new GuardError(GUARD_ERRORS.journalUnreadable, `cannot read the crash journal ${path}`, {
          cause: error,
          hint: "check the file's permissions, or delete it to start afresh (past strikes are then forgotten)",
        });
      }
      for (const line of text.split("\n")) {
        if (line.startsWith("B ")) {
          const space = line.indexOf(" ", 2);
          if (space > 0) running.set(line.slice(2, space), line.slice(space + 1));
        } else if (line.startsWith("E ")) {
          running.delete(line.slice(2));
        } else if (line.startsWith("S ")) {
          const [, at, reason, ...rest] = line.split(" ");
          const fingerprint = rest.join(" ");
          if (at && reason && STRIKE_REASONS.has(reason) && fingerprint)
            strikes.push({ at: Number(at), reason: reason as StrikeReason, fingerprint });
        }
        // Anything else is a torn last line from a crash mid-write: ignore it.
      }
    }
    const crashed = [...new Set(running.values())];
    for (const fingerprint of crashed) strikes.push({ at: options.now, reason: "crash", fingerprint });
    const kept = strikes.filter((s) => s.at > options.now - options.windowMs);
    CrashJournal.#rewrite(path, kept, []);
    const fd = openSync(path, "a");
    const journal = new CrashJournal(path, fd, kept, options.windowMs, options.maxBytes ?? 1 << 20);
    journal.#bytes = statSync(path).size;
    return { journal, state: { strikes: kept, crashed } };
  }

  static #rewrite(path: string, strikes: JournalStrike[], running: [number, string][]): void {
    const lines = [
      ...strikes.map((s) => `S ${s.at} ${s.reason} ${clean(s.fingerprint)}`),
      ...running.map(([id, fp]) => `B ${id} ${clean(fp)}`),
    ];
    const temp = `${path}.tmp`;
    const fd = openSync(temp, "w");
    try {
      writeSync(fd, lines.length > 0 ? `${lines.join("\n")}\n` : "");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  }

  /** Records that a request with this fingerprint started; returns its id for {@link end}. */
  begin(fingerprint: string): number {
    const id = this.#next++;
    this.#open.set(id, fingerprint);
    this.#append(`B ${id} ${clean(fingerprint)}\n`);
    return id;
  }

  /** Records that the request ended (whatever its outcome). */
  end(id: number): void {
    if (!this.#open.delete(id)) return;
    this.#append(`E ${id}\n`);
  }

  /** Records a strike so that it outlives a restart. */
  strike(strike: JournalStrike): void {
    this.#strikes.push(strike);
    this.#append(`S ${strike.at} ${strike.reason} ${clean(strike.fingerprint)}\n`);
  }

  /** Closes the file. */
  close(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
  }

  #append(line: string): void {
    if (this.#fd < 0) return;
    this.#bytes += writeSync(this.#fd, line);
    if (this.#bytes > this.#maxBytes) this.#compact();
  }

  #compact(): void {
    const newest = this.#strikes.reduce((max, s) => Math.max(max, s.at), 0);
    this.#strikes = this.#strikes.filter((s) => s.at > newest - this.#windowMs);
    closeSync(this.#fd);
    CrashJournal.#rewrite(this.path, this.#strikes, [...this.#open.entries()]);
    this.#fd = openSync(this.path, "a");
    this.#bytes = statSync(this.path).size;
  }
}
