/**
 * What a long operation reports as it goes. `done`/`total` are bytes when
 * known. The CLI prints these on stderr; libraries only call the callback.
 *
 * @example
 * const onProgress: OnProgress = (p) => console.error(`${p.phase} ${p.done ?? ""}/${p.total ?? ""}`);
 */
export interface Progress {
  /** `snapshot`, `checksum`, `upload`, `download`, `restore`, `check`, or `warning` with a message. */
  phase: string;
  done?: number;
  total?: number;
  message?: string;
}

/** A progress callback. */
export type OnProgress = (progress: Progress) => void;
