import { applyRetention, createBackup, dialectFor, SqliteDialect } from "@nines/data";
import { resolveDatabase } from "../../args.js";
import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { plural } from "../../plural.js";
import { printJson } from "../../print-json.js";
import { progressPrinter } from "../../progress-printer.js";
import { stagingMb } from "./staging-lines.js";
import { ENDPOINT_OPTION, withTargets } from "./targets.js";

const MB = 1024 * 1024;

/**
 * `nines data backup`: a consistent online backup to one or more targets, then optional retention.
 *
 * @example
 * // nines data backup --db app.db --to backups --to s3://bucket/app --keep-daily 7
 */
export const backup = defineCommand({
  name: "backup",
  summary: "back up a SQLite file or PostgreSQL database to directories or s3:// locations",
  usage: `Usage: nines data backup --db FILE|URL --to DIR|s3://BUCKET/PREFIX [--to ...] [options]

Takes a consistent online backup (writers keep writing), writes its manifest
(engine, version, size, checksum, row counts) and stores it in every --to.
Before writing, it removes what killed backups left in the --to folders
(never what a running one is writing). A --to that is a file, a link to
nothing or a folder that cannot be written is refused and nothing is left.

Options:
  --db FILE|URL          the SQLite file or postgres:// URL to back up
  --to LOCATION          a directory or s3://bucket/prefix (repeat for several)
  --newest TABLE.COLUMN  timestamp column whose newest value dates the data (RPO)
  --method M             SQLite: file-copy (default), backup-api or vacuum-into
  --keep-last N          after the backup, keep the newest N ...
  --keep-daily N         ... plus the newest of each of the last N days ...
  --keep-weekly N        ... and weeks (the last verified backup is always kept)
  --endpoint URL         S3-compatible endpoint (else AWS_ENDPOINT_URL); credentials from AWS_* variables
  --json                 print { manifest, stored, removed, retention } as JSON
`,
  options: {
    db: { type: "string" },
    to: { type: "string", multiple: true },
    newest: { type: "string" },
    method: { type: "string" },
    "keep-last": { type: "string" },
    "keep-daily": { type: "string" },
    "keep-weekly": { type: "string" },
    json: { type: "boolean" },
    ...ENDPOINT_OPTION,
  },
  async run(args, io) {
    args.expect();
    const db = resolveDatabase(args.required("db", "FILE|URL"), io.cwd);
    const to = args.values.to ?? [];
    if (to.length === 0) throw args.error("--to LOCATION is required");
    const method = args.oneOf("method", ["file-copy", "backup-api", "vacuum-into"]);
    const dialect = dialectFor(db);
    if (method !== undefined && dialect.name !== "sqlite") {
      throw args.error("--method applies to SQLite backups; PostgreSQL backups use pg_dump");
    }
    const keepLast = args.wholeNumber("keep-last");
    const keepDaily = args.wholeNumber("keep-daily");
    const keepWeekly = args.wholeNumber("keep-weekly");
    const retain = keepLast !== undefined || keepDaily !== undefined || keepWeekly !== undefined;
    const json = args.values.json === true;
    return await withTargets(to, io, args.values.endpoint, async (targets) => {
      const onProgress = progressPrinter(io, "nines data backup");
      const { manifest, stored, removed } = await createBackup({
        source: db,
        dialect: method ? new SqliteDialect({ backupMethod: method }) : dialect,
        targets,
        onProgress,
        ...(args.values.newest && { newestColumn: args.values.newest }),
      });
      if (!json) {
        const rows = Object.values(manifest.rowCounts).reduce((a, b) => a + b, 0);
        io.stdout.write(
          `backup ${manifest.id}: ${(manifest.sizeBytes / MB).toFixed(1)} MB, ${plural(rows, "row")} in ` +
            `${plural(Object.keys(manifest.rowCounts).length, "table")}, ${manifest.durationMs} ms\n` +
            `  stored in ${stored.join(", ")}\n`,
        );
        if (removed.length > 0) {
          io.stdout.write(
            `  removed ${plural(removed.length, "leftover")} of killed operations (${stagingMb(removed)} MB)\n`,
          );
        }
      }
      const retention = [];
      if (retain) {
        const policy = { keepLast: keepLast ?? 0, keepDaily: keepDaily ?? 0, keepWeekly: keepWeekly ?? 0 };
        for (const target of targets) {
          const result = await applyRetention(target, policy, { onProgress });
          retention.push({
            location: target.location,
            kept: result.keep.length,
            deleted: result.remove.length,
            unfinished: result.leftovers.length,
            staging: result.staging.length,
          });
          if (!json) {
            io.stdout.write(
              `  retention in ${target.location}: kept ${result.keep.length}, deleted ${result.remove.length}` +
                `${result.leftovers.length > 0 ? `, ${plural(result.leftovers.length, "unfinished backup")} removed` : ""}\n`,
            );
          }
        }
      }
      if (json) printJson(io, { manifest, stored, removed, ...(retain && { retention }) });
      return EXIT.ok;
    });
  },
});
