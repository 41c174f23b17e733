/** Where a command reads and writes; the entry point passes the process's own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Read by commands that take `-` for a file (`nines plan -`); absent means empty. */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * One `nines` command, or a group of them (`nines data`, `nines data trash`).
 * `run` returns the exit status and throws a `NinesError` (a `CliError` when
 * the CLI decides the status) for anything the user should fix; only `main`
 * prints errors and turns them into a status.
 *
 * Build one with `defineCommand` (./define-command.ts) or a group with
 * `defineGroup` (./router.ts) rather than by hand.
 *
 * @example
 * const hello: Command = {
 *   name: "hello",
 *   summary: "say hello",
 *   usage: "Usage: nines hello\n",
 *   async run(_args, io) {
 *     io.stdout.write("hello\n");
 *     return 0;
 *   },
 * };
 */
export interface Command {
  readonly name: string;
  /** One line for the list in the parent's help. */
  readonly summary: string;
  /** The full help text, printed by `nines ... NAME --help` and `nines help ... NAME`. */
  readonly usage: string;
  /** A group's commands; the router descends into them. Absent for a command that runs. */
  readonly subcommands?: readonly Command[];
  /**
   * Runs with the arguments after the command's name. `path` is the command
   * as the user called it (`nines data backup`), for messages and hints.
   */
  run(args: string[], io: Io, path: string): Promise<number>;
}
