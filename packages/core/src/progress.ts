/**
 * What a long-running operation reports as it goes. Every nines operation
 * that takes an `onProgress` option calls it with this one shape, so a CLI,
 * a live view or a test can show any of them the same way. Libraries only
 * call the callback; they never print.
 *
 * @example
 * const onProgress: OnProgress = (p) =>
 *   console.error(`${p.phase}: ${p.done}${p.total === null ? "" : `/${p.total}`} ${p.unit}`);
 */
export interface Progress {
  /** The step under way, a short word a user reads: `copy`, `checksum`, `upload`, `purge`, `drill`... */
  phase: string;
  /** Units of work done so far in this phase. */
  done: number;
  /** Units in all for this phase, null when not known in advance. */
  total: number | null;
  /** What `done` and `total` count: `bytes`, `rows`, `groups`, `requests`, `ms`, `steps`... */
  unit: string;
  /** A line for people, when the numbers alone do not say it (a warning, a step's name). */
  message?: string;
}

/** A progress callback; it must not throw (an error thrown here is not the operation's). */
export type OnProgress = (progress: Progress) => void;
