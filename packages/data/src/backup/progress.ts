import type { Progress } from "@nines/core";

/**
 * A byte-counting progress report in core's one `Progress` shape.
 *
 * @example
 * onProgress?.(bytesProgress("download", 1048576, manifest.sizeBytes));
 */
export function bytesProgress(phase: string, done: number, total: number | null, message?: string): Progress {
  return { phase, done, total, unit: "bytes", ...(message === undefined ? {} : { message }) };
}

/**
 * A progress report that is a line for people (a step starting, a warning).
 *
 * @example
 * onProgress?.(noteProgress("warning", "skipping backup 2026...: truncated"));
 */
export function noteProgress(phase: string, message: string): Progress {
  return { phase, done: 0, total: null, unit: "steps", message };
}
