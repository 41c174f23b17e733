import { resolve } from "node:path";
import { closestName } from "@nines/core";
import { parseDuration } from "@nines/planner";
import { CLI_ERRORS, CliError } from "./errors.js";

/** One option a command takes: `--name VALUE` (string) or `--name` (boolean). */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** May be given several times (`--to a --to b`); the value is then a list. */
  readonly multiple?: boolean;
}

/** The options a command takes, by name without the dashes. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<O extends OptionSpec> = O["type"] extends "boolean"
  ? boolean
  : O["multiple"] extends true
    ? string[]
    : string;

/** The parsed values: each option present on the command line, by name. */
export type OptionValues<S extends OptionSpecs> = { -readonly [K in keyof S]?: ValueOf<S[K]> };

type StringOption<S extends OptionSpecs> = {
  [K in keyof S]: S[K]["type"] extends "string" ? (S[K]["multiple"] extends true ? never : K) : never;
}[keyof S] &
  string;

/** True when `argv` asks for help (`-h`, `--help`) before a `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "-h" || arg === "--help") return true;
  }
  return false;
}

/** True when `argv` has `--json` before a `--`: errors are then printed as JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/**
 * True for a URL (`postgres://...`, `s3://...`, any case), false for a file path.
 *
 * @example
 * isUrl("S3://bucket/app"); // true
 */
export function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/**
 * A database given on the command line: a URL (`postgres://...`, any case)
 * as written, anything else a file path resolved against `cwd`.
 *
 * @example
 * resolveDatabase("app.db", "/srv"); // "/srv/app.db"
 * resolveDatabase("POSTGRES://db/app", "/srv"); // "POSTGRES://db/app"
 */
export function resolveDatabase(db: string, cwd: string): string {
  return isUrl(db) ? db : resolve(cwd, db);
}

/**
 * A command's parsed arguments, with the checks every command needs; each
 * failed check is a `CliError` (exit 2) naming the command and the option,
 * with a hint.
 *
 * @example
 * const args = parseArgs("nines data backups", ["--from", "backups"], { from: { type: "string" } });
 * args.required("from"); // "backups"
 */
export class Args<S extends OptionSpecs> {
  constructor(
    /** The command as called (`nines data backup`), for messages. */
    readonly command: string,
    readonly values: OptionValues<S>,
    readonly positionals: readonly string[],
  ) {}

  /** A usage error for this command; the hint defaults to its `--help`. */
  error(message: string, hint = `run '${this.command} --help' for the options`): CliError {
    return new CliError(CLI_ERRORS.usage, `${this.command}: ${message}`, { hint });
  }

  /** The value of a string option that must be given. */
  required(name: StringOption<S>, what = "VALUE"): string {
    const value = this.values[name] as string | undefined;
    if (value === undefined || value === "") throw this.error(`--${name} ${what} is required`);
    return value;
  }

  /** A whole number >= `min` (and <= `max` when given), or undefined when the option is absent. */
  wholeNumber(name: StringOption<S>, min = 0, max?: number): number | undefined {
    const text = this.values[name] as string | undefined;
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
      const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
      throw this.error(`--${name} must be a whole number ${range}, got '${text}'`, `pass e.g. --${name} ${min + 1}`);
    }
    return n;
  }

  /** A finite number > 0, or undefined when the option is absent. */
  positiveNumber(name: StringOption<S>): number | undefined {
    const text = this.values[name] as string | undefined;
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0) {
      throw this.error(`--${name} must be a number > 0, got '${text}'`);
    }
    return n;
  }

  /** One of `choices`, or undefined when the option is absent. */
  oneOf<T extends string>(name: StringOption<S>, choices: readonly T[]): T | undefined {
    const text = this.values[name] as string | undefined;
    if (text === undefined) return undefined;
    if (!(choices as readonly string[]).includes(text)) {
      const near = closestName(text, choices);
      throw this.error(
        `--${name} must be ${listOr(choices)}, got '${text}'`,
        near ? `did you mean --${name} ${near}?` : `pass one of: ${choices.join(", ")}`,
      );
    }
    return text as T;
  }

  /** A duration above zero in the spec format's units (`250ms`, `90m`, `36h`, `7d`, `2w`) in milliseconds, or undefined when absent. */
  durationMs(name: StringOption<S>): number | undefined {
    const text = this.values[name] as string | undefined;
    if (text === undefined) return undefined;
    const parsed = parseDuration(text);
    if (!parsed.ok || parsed.value <= 0) {
      // The hint lists the units a duration may have (the spec format's, from the planner).
      throw this.error(
        `--${name} must be a duration above zero such as 7d, 36h or 2w, got '${text}'`,
        parsed.ok ? `give --${name} a duration above zero, such as 7d` : parsed.hint,
      );
    }
    return parsed.value;
  }

  /** Exactly these positional arguments (`TABLE KEY`), in order. */
  expect(...names: string[]): string[] {
    if (this.positionals.length !== names.length) {
      const got = this.positionals.length === 0 ? "none" : this.positionals.map((p) => `'${p}'`).join(" ");
      throw this.error(
        names.length === 0 ? `takes no arguments, got ${got}` : `expected ${names.join(" ")}, got ${got}`,
      );
    }
    return [...this.positionals];
  }
}

function listOr(choices: readonly string[]): string {
  return choices.length <= 1
    ? (choices[0] ?? "")
    : `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
}

/**
 * Parses `argv` against the options a command takes. `--name value`,
 * `--name=value` and `--flag` are understood; everything else is a
 * positional argument (`-` included, for stdin; `--` ends the options).
 * An unknown option is an error that names the closest known one.
 *
 * @example
 * const args = parseArgs("nines plan", ["nines.yaml", "--json"], { json: { type: "boolean" } });
 * args.values.json; // true
 * args.positionals; // ["nines.yaml"]
 */
export function parseArgs<S extends OptionSpecs>(command: string, argv: readonly string[], options: S): Args<S> {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const usage = `run '${command} --help' for the options`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-") || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const dashes = arg.startsWith("--") ? "--" : "-";
    const body = arg.slice(dashes.length);
    const eq = body.indexOf("=");
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    const spec = dashes === "--" && Object.hasOwn(options, name) ? options[name] : undefined;
    if (spec === undefined) {
      const near = closestName(name, [...Object.keys(options), "help"]);
      throw new CliError(
        CLI_ERRORS.unknownOption,
        `${command}: unknown option '${dashes}${name}'${near ? `; did you mean '--${near}'?` : ""}`,
        { hint: usage },
      );
    }
    if (spec.type === "boolean") {
      if (inline !== undefined) {
        throw new CliError(CLI_ERRORS.usage, `${command}: --${name} takes no value, got '${arg}'`, { hint: usage });
      }
      values[name] = true;
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) {
      throw new CliError(CLI_ERRORS.usage, `${command}: --${name} needs a value`, { hint: usage });
    }
    if (inline === undefined) i++;
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return new Args(command, values as OptionValues<S>, positionals);
}
