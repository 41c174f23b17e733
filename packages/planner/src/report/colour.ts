/**
 * ANSI colour for the terminal report, decided once from the stream and the
 * environment: on when the stream is a TTY and `NO_COLOR` is unset or
 * empty; `FORCE_COLOR` (any value but `0` or `false`) forces it on.
 */

export interface Palette {
  readonly enabled: boolean;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  blue(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/**
 * Whether to colour output written to `stream` (see https://no-color.org).
 *
 * @example
 * useColour(process.stdout, process.env); // false when piped
 */
export function useColour(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "0" && force !== "false") return true;
  const noColour = env["NO_COLOR"];
  if (noColour !== undefined && noColour !== "") return false;
  return stream.isTTY === true;
}

function wrap(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const identity = (text: string): string => text;

/**
 * The palette for a report: ANSI codes when `enabled`, else plain text.
 *
 * @example
 * const c = palette(true);
 * c.red("error"); // "\u001b[31merror\u001b[39m"
 */
export function palette(enabled: boolean): Palette {
  if (!enabled) {
    return { enabled, red: identity, yellow: identity, green: identity, blue: identity, dim: identity, bold: identity };
  }
  return {
    enabled,
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    blue: wrap(34, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The width a string takes on screen, without its ANSI codes.
 *
 * @example
 * visibleLength("\u001b[31mab\u001b[39m"); // 2
 */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, "")].length;
}
