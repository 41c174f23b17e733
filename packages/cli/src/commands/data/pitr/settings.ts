import { resolve } from "node:path";
import { walArchiving } from "@nines/data";
import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printJson } from "../../../print-json.js";

/**
 * `nines data pitr settings`: the postgresql.conf lines that archive a server's WAL into a folder.
 *
 * @example
 * // nines data pitr settings --wal /backups/wal --archive-timeout 60s
 */
export const pitrSettings = defineCommand({
  name: "settings",
  summary: "print the postgresql.conf settings that archive the WAL into a folder",
  usage: `Usage: nines data pitr settings --wal DIR [--archive-timeout 60s] [--json]

Prints the lines to add to the server's postgresql.conf (then restart it)
so that every finished WAL segment is copied into DIR, never overwriting
one already there. --archive-timeout bounds the archive's RPO: a segment is
closed and archived at least that often.

Options:
  --wal DIR               the archive folder (another disk or region), as the server sees it
  --archive-timeout AGE   how often a segment is closed at the latest (default 60s)
  --json                  print the settings as a JSON object
`,
  options: { wal: { type: "string" }, "archive-timeout": { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    args.expect();
    const wal = resolve(io.cwd, args.required("wal", "DIR"));
    const archiveTimeoutMs = args.durationMs("archive-timeout");
    if (archiveTimeoutMs !== undefined && archiveTimeoutMs < 1000)
      throw args.error("--archive-timeout must be at least 1s");
    const settings = walArchiving(
      wal,
      archiveTimeoutMs === undefined ? {} : { archiveTimeoutMs: Math.round(archiveTimeoutMs) },
    );
    if (args.values.json) printJson(io, settings);
    else for (const [name, value] of Object.entries(settings)) io.stdout.write(`${name} = ${value}\n`);
    return EXIT.ok;
  },
});
