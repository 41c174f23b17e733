import { closestName } from "@nines/core";
import { wantsHelp } from "./args.js";
import type { Command, Io } from "./command.js";
import { CLI_ERRORS, CliError, EXIT } from "./errors.js";

/**
 * The help of a group: its usage line, what it is for, its commands with
 * their summaries, and `extra` (such as the top level's options).
 *
 * @example
 * groupUsage("nines data", "Durable data.", [init, trash]); // "Usage: nines data <command> [options]\n..."
 */
export function groupUsage(path: string, description: string, commands: readonly Command[], extra = ""): string {
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  return [
    `Usage: ${path} <command> [options]`,
    "",
    description.trimEnd(),
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    ...(extra ? [extra.trimEnd(), ""] : []),
    `Run '${path} <command> --help' (or '${path} help <command>') for a command's options.`,
    "",
  ].join("\n");
}

function find(commands: readonly Command[], name: string, path: string): Command {
  const command = commands.find((c) => c.name === name);
  if (command) return command;
  const hint = `run '${path} --help' to list the commands`;
  if (name.startsWith("-")) {
    throw new CliError(CLI_ERRORS.usage, `${path}: expected a command before the option '${name}'`, { hint });
  }
  const near = closestName(
    name,
    commands.map((c) => c.name),
  );
  throw new CliError(
    CLI_ERRORS.unknownCommand,
    `${path}: unknown command '${name}'${near ? `; did you mean '${path} ${near}'?` : ""}`,
    { hint },
  );
}

function print(io: Io, text: string): void {
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** `help A B`: the usage of the command that the words name, below `commands`. */
function help(commands: readonly Command[], words: readonly string[], io: Io, path: string, usage: string): number {
  let text = usage;
  let list = commands;
  let at = path;
  for (const word of words) {
    const command = find(list, word, at);
    text = command.usage;
    at = `${at} ${command.name}`;
    list = command.subcommands ?? [];
  }
  print(io, text);
  return EXIT.ok;
}

/**
 * Runs the command that `argv` names among `commands` (descending into
 * groups), or prints help: `PATH --help`, `PATH help CMD`, `PATH CMD --help`.
 * A name that is not a command is an error naming the closest one.
 *
 * @example
 * await route(commands, ["data", "backup", "--help"], io, "nines", usage); // prints backup's help
 */
export async function route(
  commands: readonly Command[],
  argv: readonly string[],
  io: Io,
  path: string,
  usage: string,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    print(io, usage);
    return EXIT.usage;
  }
  if (first === "-h" || first === "--help") return help(commands, [], io, path, usage);
  if (first === "help") return help(commands, rest, io, path, usage);
  const command = find(commands, first, path);
  if (command.subcommands === undefined && wantsHelp(rest)) {
    print(io, command.usage);
    return EXIT.ok;
  }
  return await command.run(rest, io, `${path} ${command.name}`);
}
