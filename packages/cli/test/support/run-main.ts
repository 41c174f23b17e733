// Runs `main` in this process with captured output, for tests of the CLI's
// behaviour that need no separate process.
import { Readable } from "node:stream";
import type { Command, Io } from "../../src/command.js";
import { main } from "../../src/main.js";

export interface RunResult {
  status: number;
  out: string;
  err: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text on standard input. */
  stdin?: string;
  /** The top-level commands (default: the real ones). */
  commands?: readonly Command[];
}

/** `nines ARGV` with its stdout and stderr as strings. */
export async function runMain(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let out = "";
  let err = "";
  const sink = (append: (s: string) => void) =>
    ({
      write(chunk: unknown) {
        append(String(chunk));
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const io: Io = {
    stdout: sink((s) => {
      out += s;
    }),
    stderr: sink((s) => {
      err += s;
    }),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin !== undefined && { stdin: Readable.from([options.stdin]) }),
  };
  const status = options.commands ? await main(argv, io, options.commands) : await main(argv, io);
  return { status, out, err };
}
