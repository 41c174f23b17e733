import { resolve } from "node:path";
import { dialectFor, takeBaseBackup } from "@nines/data";
import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printJson } from "../../../print-json.js";
import { progressPrinter } from "../../../progress-printer.js";

/**
 * `nines data pitr base`: a base backup of a running PostgreSQL server, over the replication protocol.
 *
 * @example
 * // nines data pitr base --db postgres://backup@db-1:5432/postgres --to /backups/base-2026-11-29
 */
export const pitrBase = defineCommand({
  name: "base",
  summary: "take a base backup of a PostgreSQL server with pg_basebackup",
  usage: `Usage: nines data pitr base --db URL --to DIR [--json]

Copies the whole cluster of the server at --db (pg_basebackup, plain
format, WAL streamed alongside) into the new or empty folder --to: the
starting point of a point-in-time restore. The server must archive its
WAL ('nines data pitr settings'); otherwise nothing is copied. The user in
--db needs the REPLICATION attribute and a 'replication' line in
pg_hba.conf.

Options:
  --db URL     the server, postgres://USER@HOST:PORT/postgres
  --to DIR     a new or empty folder for the base backup
  --json       print { dir, serverVersion, startLsn, archiving, durationMs } as JSON
`,
  options: { db: { type: "string" }, to: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    args.expect();
    const db = args.required("db", "URL");
    if (dialectFor(db).name !== "postgres") throw args.error("--db must be a postgres:// URL");
    const dir = resolve(io.cwd, args.required("to", "DIR"));
    const base = await takeBaseBackup({ source: db, dir, onProgress: progressPrinter(io, "nines data pitr base") });
    if (args.values.json) printJson(io, base);
    else {
      io.stdout.write(
        `base backup of ${dialectFor(db).redact(db)} (PostgreSQL ${base.serverVersion.split(" ")[0]}) in ${base.dir}: ` +
          `replay starts at ${base.startLsn}, ${base.durationMs} ms\n`,
      );
    }
    return EXIT.ok;
  },
});
