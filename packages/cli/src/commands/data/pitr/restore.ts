import { resolve } from "node:path";
import { type RecoveryTarget, restoreToPointInTime } from "@nines/data";
import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printJson } from "../../../print-json.js";
import { progressPrinter } from "../../../progress-printer.js";

/**
 * `nines data pitr restore`: a new data directory recovered to a moment, from a base backup and the WAL archive.
 *
 * @example
 * // nines data pitr restore --base /backups/base-1 --wal /backups/wal --to /srv/pg/restored --time "2026-11-29 07:30:00+00"
 */
export const pitrRestore = defineCommand({
  name: "restore",
  summary: "restore a base backup and replay the WAL archive up to a moment, into a new data directory",
  usage: `Usage: nines data pitr restore --base DIR --wal DIR --to NEWDIR (--time T | --name N | --lsn L) [options]

Copies the base backup into the new folder --to, replays the archived WAL
up to the target and promotes the result (a new timeline), running a
server of its own on 127.0.0.1 meanwhile; then stops it cleanly and puts
back the base backup's own configuration files. Start the recovered data
directory with the server's usual tools (pg_ctl -D NEWDIR start). The
source server is never touched.

Options:
  --base DIR      a base backup ('nines data pitr base', or pg_basebackup -Fp)
  --wal DIR       the WAL archive the source server writes into
  --to NEWDIR     the new data directory (must not exist)
  --time T        stop at this time, with its zone (2026-11-29 07:30:00+00)
  --name N        stop at this restore point (select pg_create_restore_point('N'))
  --lsn L         stop at this WAL location (0/3000060)
  --exclusive     stop just before the target instead of just after it
  --json          print { dataDir, restoreMs } as JSON
`,
  options: {
    base: { type: "string" },
    wal: { type: "string" },
    to: { type: "string" },
    time: { type: "string" },
    name: { type: "string" },
    lsn: { type: "string" },
    exclusive: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(args, io) {
    args.expect();
    const { time, name, lsn } = args.values;
    const given = [time, name, lsn].filter((t) => t !== undefined);
    if (given.length !== 1) throw args.error("give exactly one target: --time T, --name N or --lsn L");
    const target: RecoveryTarget =
      time !== undefined ? { time } : name !== undefined ? { name } : { lsn: lsn as string };
    const result = await restoreToPointInTime({
      baseBackupDir: resolve(io.cwd, args.required("base", "DIR")),
      walArchiveDir: resolve(io.cwd, args.required("wal", "DIR")),
      targetDir: resolve(io.cwd, args.required("to", "NEWDIR")),
      target,
      keepRunning: false,
      ...(args.values.exclusive && { inclusive: false }),
      onProgress: progressPrinter(io, "nines data pitr restore"),
    });
    if (args.values.json) printJson(io, { dataDir: result.dataDir, restoreMs: result.restoreMs });
    else {
      io.stdout.write(
        `recovered to ${time ?? name ?? lsn} in ${result.dataDir} (${result.restoreMs} ms)\n` +
          `  start it with: pg_ctl -D ${result.dataDir} start\n`,
      );
    }
    return EXIT.ok;
  },
});
