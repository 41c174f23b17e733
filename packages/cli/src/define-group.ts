import type { Command } from "./command.js";
import { groupUsage, route } from "./router.js";

/** What a group of commands declares. */
export interface GroupDefinition {
  readonly name: string;
  /** The command path above the group (`nines`, `nines data`), for its help. */
  readonly parent: string;
  readonly summary: string;
  /** A paragraph for the group's help. */
  readonly description: string;
  /** Its commands, in the order its help lists them. */
  readonly subcommands: readonly Command[];
}

/**
 * A command that routes to its subcommands (`nines data`, `nines data trash`),
 * with help and did-you-mean at its level.
 *
 * @example
 * export const trash = defineGroup({
 *   name: "trash", parent: "nines data", summary: "a user's trash", description: "...",
 *   subcommands: [list, restore, empty],
 * });
 */
export function defineGroup(definition: GroupDefinition): Command {
  const usage = groupUsage(`${definition.parent} ${definition.name}`, definition.description, definition.subcommands);
  return {
    name: definition.name,
    summary: definition.summary,
    usage,
    subcommands: definition.subcommands,
    run: (argv, io, path) => route(definition.subcommands, argv, io, path, usage),
  };
}
