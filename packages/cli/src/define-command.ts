import { type Args, type OptionSpecs, parseArgs } from "./args.js";
import type { Command, Io } from "./command.js";

/** What a command declares: its help, the options it takes, and what it does with them. */
export interface CommandDefinition<S extends OptionSpecs> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: S;
  run(args: Args<S>, io: Io): Promise<number>;
}

/**
 * A command whose arguments are parsed (and unknown options refused, with
 * the closest known one) before `run` sees them.
 *
 * @example
 * export const hello = defineCommand({
 *   name: "hello",
 *   summary: "say hello",
 *   usage: "Usage: nines hello [--json]\n",
 *   options: { json: { type: "boolean" } },
 *   async run(args, io) {
 *     args.expect();
 *     io.stdout.write(args.values.json ? '"hello"\n' : "hello\n");
 *     return EXIT.ok;
 *   },
 * });
 */
export function defineCommand<S extends OptionSpecs>(definition: CommandDefinition<S>): Command {
  return {
    name: definition.name,
    summary: definition.summary,
    usage: definition.usage,
    run: (argv, io, path) => definition.run(parseArgs(path, argv, definition.options), io),
  };
}
