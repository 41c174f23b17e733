import { resolve } from "node:path";
import { loadDeclaration, restoreBackup, restoreOwnerRows } from "@nines/data";
import { resolveDatabase } from "../../args.js";
import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { plural } from "../../plural.js";
import { printJson } from "../../print-json.js";
import { progressPrinter } from "../../progress-printer.js";
import { REPLICA_OPTIONS, REPLICA_USAGE, restoreIfReplica } from "./replica-options.js";
import { stagingMb } from "./staging-lines.js";
import { ENDPOINT_OPTION, withTargets } from "./targets.js";

/**
 * `nines data restore`: restores a backup to a new place, or one owner's groups of rows into a live database.
 *
 * @example
 * // nines data restore --from backups --to restored.db
 * // nines data restore --from backups --to app.db --owner alice --table folders
 */
export const restore = defineCommand({
  name: "restore",
  summary: "restore a backup to a new file or database, or one owner's rows with their children",
  usage: `Usage: nines data restore --from LOCATION --to NEWFILE|URL [options]

Restores the newest good backup (falling back past corrupt or truncated
ones) or --id. Never overwrites existing data unless --force; removes what
a killed restore left beside --to first.
With --owner, copies that owner's rows from the backup into the existing
database at --to, with their children (down the parent relations of the
table declaration), in one transaction, and touches nothing else. The
declared tables and columns are checked against --to before anything is
downloaded.
From a replica (a --to of 'nines data replicate'), restores the point in
time --at to a new file, checked (every object, the chain, SQLite's frame
checksums, integrity_check, row counts) before it is put in place.

Options:
  --from LOCATION        directory or s3://bucket/prefix holding the backups
  --to NEWFILE|URL       where to restore (a postgres:// URL for pg backups)
  --id ID                restore exactly this backup (no fallback)
  --force                replace existing data at --to
  --owner USER           restore only this owner's rows, with their children
  --table T              with --owner: start from this declared table (repeat; default: every declared table)
  --tables FILE          the JSON declaration of the tables (default: nines-data.json)
  --on-conflict MODE     with --owner: skip (default), replace or fail
  --scratch DIR|URL      with --owner: where the backup is unpacked (an existing folder; a postgres:// server)
${REPLICA_USAGE}  --endpoint URL         S3-compatible endpoint
  --json                 print the result as JSON
`,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    id: { type: "string" },
    force: { type: "boolean" },
    owner: { type: "string" },
    table: { type: "string", multiple: true },
    tables: { type: "string" },
    "on-conflict": { type: "string" },
    scratch: { type: "string" },
    json: { type: "boolean" },
    ...REPLICA_OPTIONS,
    ...ENDPOINT_OPTION,
  },
  async run(args, io) {
    args.expect();
    const from = args.required("from", "LOCATION");
    const to = resolveDatabase(args.required("to", "NEWFILE|URL"), io.cwd);
    const { id, owner, table, scratch, json } = args.values;
    const onConflict = args.oneOf("on-conflict", ["skip", "replace", "fail"]);
    if (owner === undefined && (table !== undefined || onConflict !== undefined || scratch !== undefined)) {
      throw args.error("--table, --on-conflict and --scratch go with --owner USER");
    }
    if (owner !== undefined && args.values.force)
      throw args.error("--force replaces a whole database; it does not go with --owner");
    const onProgress = progressPrinter(io, "nines data restore");
    return await withTargets([from], io, args.values.endpoint, async ([target]) => {
      if (target === undefined) return EXIT.usage;
      const replica = await restoreIfReplica(args, io, target, to, {
        force: args.values.force === true,
        json: json === true,
        onProgress,
        print: (value) => printJson(io, value),
      });
      if (replica) return EXIT.ok;
      if (owner !== undefined) {
        const declaration = loadDeclaration(resolve(io.cwd, args.values.tables ?? "nines-data.json"));
        const result = await restoreOwnerRows({
          from: target,
          to,
          declaration,
          owner: args.required("owner", "USER"),
          onConflict: onConflict ?? "skip",
          onProgress,
          ...(table && { tables: table }),
          ...(id && { id }),
          ...(scratch && { scratch: resolveDatabase(scratch, io.cwd) }),
        });
        if (json) printJson(io, result);
        else {
          io.stdout.write(
            `restored ${result.restored} of ${plural(result.inBackup, "row")} of '${owner}' from backup ` +
              `${result.manifest.id} (${result.skipped} left as they are)\n`,
          );
          for (const t of result.tables) {
            io.stdout.write(`  ${t.table}: ${t.restored} of ${t.inBackup} restored, ${t.skipped} left as they are\n`);
          }
          if (result.notInBackup.length > 0)
            io.stdout.write(`  not in this backup: ${result.notInBackup.join(", ")}\n`);
        }
        return EXIT.ok;
      }
      const result = await restoreBackup({
        from: target,
        to,
        onProgress,
        ...(id && { id }),
        ...(args.values.force && { force: true }),
      });
      for (const s of result.skipped) io.stderr.write(`nines data restore: refused backup ${s.id}: ${s.reason}\n`);
      if (json) printJson(io, result);
      else {
        io.stdout.write(`restored backup ${result.manifest.id} to ${to} in ${result.durationMs} ms\n`);
        if (result.removed.length > 0) {
          io.stdout.write(
            `  removed ${plural(result.removed.length, "leftover")} of killed restores (${stagingMb(result.removed)} MB)\n`,
          );
        }
      }
      return EXIT.ok;
    });
  },
});
