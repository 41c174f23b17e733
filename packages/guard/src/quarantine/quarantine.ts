import {
  type Clock,
  Events,
  type Listener,
  requireKnownOptions,
  requireOption,
  systemClock,
  type Unsubscribe,
} from "@nines/core";
import { CrashJournal, type JournalStrike, type StrikeReason } from "./crash-journal.js";

/** What one finished request consumed. */
export interface RequestUsage {
  elapsedMs: number;
  /** CPU time of the process while the request ran (exact for handlers that do not interleave). */
  cpuMs?: number;
  /** Heap growth while the request ran. */
  memoryBytes?: number;
  /** The request hit its time limit. */
  timedOut?: boolean;
  /** The handler threw or its promise rejected. */
  threw?: boolean;
}

/** Options of {@link Quarantine} (`quarantine` in `adaptiveGate`). */
export interface QuarantineOptions {
  /** Strikes of one kind, within `windowMs`, that quarantine a fingerprint. Defaults: crash 2, error 3, timeout 3, cpu 3, memory 3. */
  strikes?: Partial<Record<StrikeReason, number>>;
  /** How far back strikes count, in ms. Default 10 minutes. */
  windowMs?: number;
  /** How long a quarantined fingerprint is refused, in ms. Default 30 minutes. */
  quarantineMs?: number;
  /** What over-consumption means. Defaults: 1000 ms of CPU, 256 MiB of heap growth. */
  limits?: { cpuMs?: number; memoryBytes?: number };
  /** A file for the crash journal; without it, crashes are not seen (strikes of other kinds still work). */
  journalPath?: string;
  /** Fingerprints remembered at most (the oldest is forgotten first). Default 10,000. */
  maxFingerprints?: number;
  /**
   * Receives one clear line per quarantine and per crash strike found in the
   * journal at start, e.g. `(line) => console.error(line)`. Default: none
   * (the library never logs; the `quarantined` event carries the same facts).
   */
  log?: (line: string) => void;
  clock?: Clock;
}

/** Events of {@link Quarantine}. */
export interface QuarantineEvents {
  strike: { fingerprint: string; reason: StrikeReason; count: number };
  /** `expiresAt`: the clock time when the fingerprint is served again. */
  quarantined: { fingerprint: string; reason: StrikeReason; strikes: number; expiresAt: number };
  refused: { fingerprint: string; retryAfterMs: number };
}

/** A request being watched; call `finish` once with what it consumed. */
export interface Watch {
  finish(usage: RequestUsage): void;
}

interface FingerprintRecord {
  strikes: JournalStrike[];
  /** Refused until this clock time (0: not quarantined). */
  expiresAt: number;
}

const DEFAULT_STRIKES: Record<StrikeReason, number> = { crash: 2, error: 3, timeout: 3, cpu: 3, memory: 3 };
const OPTION_KEYS = [
  "strikes",
  "windowMs",
  "quarantineMs",
  "limits",
  "journalPath",
  "maxFingerprints",
  "log",
  "clock",
] as const;

/**
 * Query-of-death quarantine. A request whose bug shows up as
 * over-consumption (CPU, memory, a timeout), a thrown error or a crash of the process is
 * known by its fingerprint (route plus a key the service chooses); after a
 * few strikes within a window that fingerprint is refused fast for a
 * quarantine period, with a `quarantined` event (and a line for the `log`
 * option, when given) naming it so developers know which request to look
 * at. With a `journalPath`, requests in flight are written to a crash
 * journal, so after a restart the requests that were running when the
 * process died get a `crash` strike: by default a request that killed the
 * process twice is refused on its third try.
 *
 * @example
 * const qod = new Quarantine({
 *   journalPath: "/var/lib/app/qod.journal",
 *   log: (line) => console.error(line), // silent without it
 * });
 * const fingerprint = `GET /search|${url.searchParams.get("q")}`;
 * const refused = qod.check(fingerprint); // { retryAfterMs } while quarantined
 * const watch = qod.watch(fingerprint);
 * // ... handle ...
 * watch.finish({ elapsedMs, cpuMs });
 */
export class Quarantine {
  readonly #events = new Events<QuarantineEvents>();
  readonly #thresholds: Record<StrikeReason, number>;
  readonly #windowMs: number;
  readonly #quarantineMs: number;
  readonly #cpuMs: number;
  readonly #memoryBytes: number;
  readonly #max: number;
  readonly #log: ((line: string) => void) | undefined;
  readonly #clock: Clock;
  readonly #journal: CrashJournal | undefined;
  readonly #records = new Map<string, FingerprintRecord>();

  constructor(options: QuarantineOptions = {}) {
    requireOption(typeof options === "object" && options !== null, "Quarantine", "options", options, "an object");
    requireKnownOptions("Quarantine", options, OPTION_KEYS);
    requireKnownOptions("Quarantine strikes", options.strikes ?? {}, Object.keys(DEFAULT_STRIKES));
    this.#thresholds = { ...DEFAULT_STRIKES, ...options.strikes };
    for (const [reason, count] of Object.entries(this.#thresholds)) {
      requireOption(Number.isInteger(count) && count >= 1, "Quarantine", `strikes.${reason}`, count, "an integer >= 1");
    }
    this.#windowMs = options.windowMs ?? 10 * 60_000;
    this.#quarantineMs = options.quarantineMs ?? 30 * 60_000;
    this.#cpuMs = options.limits?.cpuMs ?? 1000;
    this.#memoryBytes = options.limits?.memoryBytes ?? 256 * 1024 * 1024;
    this.#max = options.maxFingerprints ?? 10_000;
    requireOption(this.#windowMs > 0, "Quarantine", "windowMs", this.#windowMs, "> 0");
    requireOption(this.#quarantineMs > 0, "Quarantine", "quarantineMs", this.#quarantineMs, "> 0");
    requireOption(this.#max >= 1, "Quarantine", "maxFingerprints", this.#max, ">= 1");
    requireOption(
      options.log === undefined || typeof options.log === "function",
      "Quarantine",
      "log",
      options.log,
      "a function (line: string) => void",
    );
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    if (options.journalPath) {
      const { journal, state } = CrashJournal.open(options.journalPath, {
        now: this.#clock.now(),
        windowMs: this.#windowMs,
      });
      this.#journal = journal;
      for (const strike of state.strikes) this.#record(strike, false);
      for (const fingerprint of state.crashed) {
        this.#log?.(`nines guard: request "${fingerprint}" was running when the process died: crash strike recorded`);
      }
    }
  }

  /**
   * Subscribes to `strike`, `quarantined` or `refused` events.
   *
   * @example
   * qod.on("quarantined", (e) => alert(`${e.fingerprint} refused until ${new Date(e.expiresAt).toISOString()}`));
   */
  on<K extends keyof QuarantineEvents>(type: K, listener: Listener<QuarantineEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** Null when the fingerprint may run; else how long it stays refused. */
  check(fingerprint: string): { retryAfterMs: number } | null {
    const record = this.#records.get(fingerprint);
    if (!record) return null;
    const left = record.expiresAt - this.#clock.now();
    if (left <= 0) return null;
    this.#events.emit("refused", { fingerprint, retryAfterMs: left });
    return { retryAfterMs: left };
  }

  /** Starts watching a request (and records it in the crash journal). */
  watch(fingerprint: string): Watch {
    const id = this.#journal?.begin(fingerprint);
    let done = false;
    return {
      finish: (usage) => {
        if (done) return;
        done = true;
        if (id !== undefined) this.#journal?.end(id);
        const reason: StrikeReason | null = usage.threw
          ? "error"
          : usage.timedOut
            ? "timeout"
            : (usage.cpuMs ?? 0) > this.#cpuMs
              ? "cpu"
              : (usage.memoryBytes ?? 0) > this.#memoryBytes
                ? "memory"
                : null;
        if (reason) this.strike(fingerprint, reason);
      },
    };
  }

  /** Records a strike against a fingerprint by hand. */
  strike(fingerprint: string, reason: StrikeReason): void {
    const strike = { at: this.#clock.now(), fingerprint, reason };
    this.#journal?.strike(strike);
    this.#record(strike, true);
  }

  /** Fingerprints refused now, with their remaining time. */
  quarantined(): { fingerprint: string; retryAfterMs: number }[] {
    const now = this.#clock.now();
    return [...this.#records.entries()]
      .filter(([, r]) => r.expiresAt > now)
      .map(([fingerprint, r]) => ({ fingerprint, retryAfterMs: r.expiresAt - now }));
  }

  /** Closes the crash journal. */
  close(): void {
    this.#journal?.close();
  }

  #record(strike: JournalStrike, live: boolean): void {
    const now = this.#clock.now();
    let record = this.#records.get(strike.fingerprint);
    if (record) {
      this.#records.delete(strike.fingerprint); // re-inserted below: most recent last
    } else {
      record = { strikes: [], expiresAt: 0 };
      if (this.#records.size >= this.#max) {
        const oldest = this.#records.keys().next().value;
        if (oldest !== undefined) this.#records.delete(oldest);
      }
    }
    this.#records.set(strike.fingerprint, record);
    record.strikes = record.strikes.filter((s) => s.at > now - this.#windowMs);
    record.strikes.push(strike);
    const count = record.strikes.filter((s) => s.reason === strike.reason).length;
    if (live) this.#events.emit("strike", { fingerprint: strike.fingerprint, reason: strike.reason, count });
    if (count >= this.#thresholds[strike.reason] && record.expiresAt <= now) {
      record.expiresAt = now + this.#quarantineMs;
      this.#events.emit("quarantined", {
        fingerprint: strike.fingerprint,
        reason: strike.reason,
        strikes: count,
        expiresAt: record.expiresAt,
      });
      this.#log?.(
        `nines guard: quarantined query of death "${strike.fingerprint}" for ${Math.round(this.#quarantineMs / 60_000)} min after ${count} ${strike.reason} strikes within ${Math.round(this.#windowMs / 60_000)} min; fix the handler for this request`,
      );
    }
  }
}
