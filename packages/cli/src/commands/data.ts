import { NinesError } from "@nines/core";
import { type Command, EXIT, type Io } from "../command.js";
import { dataBackupCommands } from "./data-backup.js";
import { holdCommand, releaseCommand } from "./data-hold.js";
import { initCommand, purgeCommand } from "./data-purge.js";
import { DATA_USAGE } from "./data-store-options.js";
import { adminCommand, trashCommand } from "./data-trash.js";

/**
 * The `nines data` subcommands, in the order `nines data --help` lists them.
 * Each lives in its own `data-*.ts` file; add ONE line here per file.
 */
export const dataSubcommands: readonly Command[] = [
  initCommand,
  trashCommand,
  adminCommand,
  holdCommand,
  releaseCommand,
  purgeCommand,
  ...dataBackupCommands,
];

function usage(subcommands: readonly Command[]): string {
  const width = Math.max(0, ...subcommands.map((c) => c.name.length));
  return [
    "Usage: nines data <subcommand> [options]",
    "",
    "Durable data: lazy deletion (trash, admin restore, legal holds, purge), backups and verified restores,",
    "on a SQLite file (--db app.db) or PostgreSQL (--db postgres://...). See docs/data.md.",
    "",
    "Subcommands:",
    ...subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    ...subcommands.flatMap((c) => [c.usage.trimEnd(), ""]),
  ].join("\n");
}

/** Builds the `nines data` router over `subcommands` (tests pass their own list). */
export function dataRouter(subcommands: readonly Command[]): Command {
  return {
    name: "data",
    summary: "lazy deletion, purge, backups and verified restores",
    usage: usage(subcommands),
    async run(args: string[], io: Io): Promise<number> {
      const [name, ...rest] = args;
      if (name === undefined) {
        io.stdout.write(usage(subcommands));
        return EXIT.usage;
      }
      const sub = subcommands.find((c) => c.name === name);
      if (!sub) {
        throw new NinesError(DATA_USAGE, `nines data: unknown subcommand '${name}'`, {
          hint: `one of: ${subcommands.map((c) => c.name).join(", ")}`,
        });
      }
      return await sub.run(rest, io);
    },
  };
}

/**
 * `nines data <subcommand>`.
 *
 * @example
 * // nines data trash list --db app.db --as alice
 */
export const dataCommand: Command = dataRouter(dataSubcommands);
