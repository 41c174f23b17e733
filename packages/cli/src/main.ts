import { readFileSync } from "node:fs";
import { closestName, isNinesError } from "@nines/core";
import { type Command, EXIT, type Io } from "./command.js";
import { commands as builtIn } from "./commands/index.js";

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

function help(commands: readonly Command[]): string {
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "nines: design, build and prove reliable services",
    "",
    "Usage: nines <command> [options]",
    "",
    "Commands:",
    ...(lines.length > 0 ? lines : ["  (none yet)"]),
    "",
    "Options:",
    "  -h, --help     show help (also: nines <command> --help)",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

/**
 * Runs `nines` with `argv` (without the node and script paths) and returns
 * the exit status. Never throws and never exits: errors are printed for
 * people, with their hint, and no stack trace unless NINES_DEBUG is set.
 */
export async function main(argv: string[], io: Io, commands: readonly Command[] = builtIn): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    io.stdout.write(help(commands));
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "-v" || first === "--version") {
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    const suggestion = closestName(
      first,
      commands.map((c) => c.name),
    );
    io.stderr.write(
      `nines: unknown command '${first}'${suggestion ? `; did you mean '${suggestion}'?` : ""}\n` +
        "  hint: run 'nines --help' to list the commands\n",
    );
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isNinesError(error)) {
      io.stderr.write(`nines ${command.name}: ${error.describe()}\n`);
      if (io.env["NINES_DEBUG"] && error.stack) io.stderr.write(`${error.stack}\n`);
      return typeof error.details["exitCode"] === "number" ? error.details["exitCode"] : EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `nines ${command.name}: unexpected failure: ${message}\n  hint: this is a bug in nines; rerun with NINES_DEBUG=1 for the stack and report it\n`,
    );
    if (io.env["NINES_DEBUG"] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT.failure;
  }
}
