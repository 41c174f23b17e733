import { isNinesError, NinesError, type NinesErrorOptions } from "@nines/core";
import { BACKUP_ERRORS } from "@nines/data";

/**
 * The exit statuses of every `nines` command.
 *
 * | status | meaning |
 * | --- | --- |
 * | 0 | done; no finding is an error |
 * | 1 | done, and the result is bad: an error finding, a failed or stale verification |
 * | 2 | bad input (flags, spec, paths) or a refused operation; nothing was changed |
 * | 3 | a bug in nines |
 *
 * @example
 * return result.ok ? EXIT.ok : EXIT.findings;
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, failure: 3 } as const;

/** One of {@link EXIT}'s statuses. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Every error code the CLI itself throws. docs/cli.md lists each; a test
 * keeps the two in step.
 *
 * @example
 * if (isNinesError(error, CLI_ERRORS.unknownOption)) showHelp();
 */
export const CLI_ERRORS = {
  /** A command line that cannot be understood: a missing argument, a bad flag value. */
  usage: "NINES_CLI_USAGE",
  /** A command or subcommand that does not exist (with the closest one). */
  unknownCommand: "NINES_CLI_UNKNOWN_COMMAND",
  /** An option the command does not take (with the closest one). */
  unknownOption: "NINES_CLI_UNKNOWN_OPTION",
  /** An output file (`--html`, `nines k8s --out`) cannot be written; nothing was written. */
  writeFailed: "NINES_CLI_WRITE_FAILED",
  /** Anything that is not a nines error: a bug in nines (exit 3). */
  unexpected: "NINES_CLI_UNEXPECTED",
} as const;

/** One of {@link CLI_ERRORS}' codes. */
export type CliErrorCode = (typeof CLI_ERRORS)[keyof typeof CLI_ERRORS];

/** The options of a {@link CliError}: those of every `NinesError`, and the exit status. */
export interface CliErrorOptions extends NinesErrorOptions {
  /** The process's exit status (default {@link EXIT}.usage). */
  exitCode?: ExitCode;
}

/**
 * The error family of the CLI: a coded `NinesError` that carries the exit
 * status the process ends with. Commands throw it; only `main` prints it.
 *
 * @example
 * throw new CliError(CLI_ERRORS.usage, "--db is required", { hint: "pass --db app.db" });
 */
export class CliError extends NinesError {
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: CliErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = options.exitCode ?? EXIT.usage;
  }

  override get name(): string {
    return "CliError";
  }
}

/** Library codes that mean "the result is bad" rather than "the input is bad". */
const FINDINGS: ReadonlySet<string> = new Set([BACKUP_ERRORS.verifyStale, BACKUP_ERRORS.verifyFailed]);

/**
 * The exit status for anything a command threw: a `CliError`'s own, 1 for
 * the library codes that report a bad result, 2 for any other coded error
 * (the input is the problem), 3 for the rest (a bug).
 *
 * @example
 * exitCodeOf(new CliError(CLI_ERRORS.usage, "x")); // 2
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (isNinesError(error)) return FINDINGS.has(error.code) ? EXIT.findings : EXIT.usage;
  return EXIT.failure;
}
