import { readFileSync } from "node:fs";
import { wantsJson } from "./args.js";
import type { Command, Io } from "./command.js";
import { commands as builtIn } from "./commands/index.js";
import { EXIT } from "./errors.js";
import { reportError } from "./report-error.js";
import { groupUsage, route } from "./router.js";

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

const DESCRIPTION = "nines: design, build and prove reliable services.";
const OPTIONS = `Options:
  -h, --help     show help (also: nines <command> --help, nines help <command>)
  -v, --version  print the version`;

/**
 * Runs `nines` with `argv` (without the node and script paths) and returns
 * the exit status (see `EXIT`). Never throws and never exits: errors are
 * printed for people (`error CODE: message` and a hint), or as JSON when
 * `--json` was given, with no stack trace unless NINES_DEBUG is set.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr,
 *   stdin: process.stdin, env: process.env, cwd: process.cwd() });
 */
export async function main(argv: string[], io: Io, commands: readonly Command[] = builtIn): Promise<number> {
  if (argv[0] === "-v" || argv[0] === "--version") {
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  try {
    return await route(commands, argv, io, "nines", groupUsage("nines", DESCRIPTION, commands, OPTIONS));
  } catch (error) {
    return reportError(error, io, wantsJson(argv));
  }
}
