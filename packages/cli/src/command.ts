/** Where a command reads and writes; the entry point passes the process's own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * One `nines` subcommand. `run` returns the exit status and throws a
 * `NinesError` for anything the user should fix; only `main` turns either
 * into a process exit.
 */
export interface Command {
  readonly name: string;
  /** One line for `nines --help`. */
  readonly summary: string;
  /** The full usage text for `nines NAME --help`. */
  readonly usage: string;
  run(args: string[], io: Io): Promise<number>;
}

/** Exit statuses shared by every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2, failure: 3 } as const;
