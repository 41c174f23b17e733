/**
 * A count with its noun, singular for 1: "1 backup", "3 backups", "0 errors".
 *
 * @example
 * plural(1, "time"); // "1 time"
 * plural(2, "entry", "entries"); // "2 entries"
 */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
