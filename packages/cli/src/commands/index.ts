import type { Command } from "../command.js";

/** Every subcommand, in the order `nines --help` lists them. Add one line per command. */
export const commands: readonly Command[] = [];
