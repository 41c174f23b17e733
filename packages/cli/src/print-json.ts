import type { Io } from "./command.js";

/**
 * Prints `value` as indented JSON on stdout: what every `--json` prints.
 *
 * @example
 * if (args.values.json) printJson(io, { held: { table, key, reason } });
 */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
