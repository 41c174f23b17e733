/**
 * The one conversion between the planner's milliseconds and the seconds of
 * `PlanResult`: the result is what `nines plan --json` prints, and its format
 * ("Values", "Output") gives its durations in seconds. The model and the
 * analysis hold milliseconds; the result is built with {@link toSeconds},
 * and reports that format a result's durations read them back with
 * {@link fromSeconds}.
 *
 * @example
 * toSeconds(300_000); // 300
 */
export function toSeconds(ms: number): number {
  return ms / 1000;
}

/**
 * A result's seconds as milliseconds, for formatting.
 *
 * @example
 * formatDuration(fromSeconds(result.disasters[0].rto.achieved));
 */
export function fromSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}
