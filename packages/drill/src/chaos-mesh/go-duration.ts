/**
 * A duration in milliseconds as Go writes it (Chaos Mesh parses Go durations).
 *
 * @example
 * goDuration(60_000); // "60s"
 * goDuration(250);    // "250ms"
 */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** True for a Go duration string such as `90s`, `1m30s`, `250ms`. */
export function isGoDuration(text: string): boolean {
  return GO_DURATION.test(text);
}
