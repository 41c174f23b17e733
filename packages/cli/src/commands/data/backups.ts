import { listBackups, listVerifications, verificationStatus } from "@nines/data";
import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { plural } from "../../plural.js";
import { printJson } from "../../print-json.js";
import { stagingLine, stagingMb } from "./staging-lines.js";
import { ENDPOINT_OPTION, withTargets } from "./targets.js";

const MB = 1024 * 1024;

/**
 * `nines data backups`: lists the backups at a location with their verifications and leftovers.
 *
 * @example
 * // nines data backups --from backups
 */
export const backups = defineCommand({
  name: "backups",
  summary: "list the backups in a directory or s3:// location",
  usage: `Usage: nines data backups --from DIR|s3://BUCKET/PREFIX [--endpoint URL] [--json]

Lists the backups at a location, oldest first, with their size, rows, the
date of their newest data, their last successful verification and their
last failed one (wherever it ran: a verification counts for every copy of
the same backup); the unreadable ones; the incomplete ones (no manifest:
still being stored, or left by a killed backup) with their size; and the
staging folders of operations in progress or left by killed ones (the next
backup, restore, verify or retention removes what killed ones left). A
location that does not exist is an error.

Options:
  --from LOCATION   directory or s3://bucket/prefix holding the backups
  --endpoint URL    S3-compatible endpoint
  --json            print { backups, unreadable, incomplete, staging, verifications } as JSON
`,
  options: { from: { type: "string" }, json: { type: "boolean" }, ...ENDPOINT_OPTION },
  async run(args, io) {
    args.expect();
    const from = args.required("from", "LOCATION");
    return await withTargets([from], io, args.values.endpoint, async ([target]) => {
      if (target === undefined) return EXIT.usage;
      const catalog = await listBackups(target);
      const verifications = await listVerifications(target);
      if (args.values.json) {
        printJson(io, { ...catalog, verifications });
        return EXIT.ok;
      }
      io.stdout.write(`${plural(catalog.backups.length, "backup")} in ${target.location}\n`);
      for (const b of catalog.backups) {
        const rows = Object.values(b.rowCounts).reduce((a, c) => a + c, 0);
        const { lastOk, lastFailed } = verificationStatus(verifications, b);
        const failedLater = lastFailed && (!lastOk || lastFailed.verifiedAt > lastOk.verifiedAt);
        io.stdout.write(
          `  ${b.id}  ${b.engine} ${b.engineVersion}  ${(b.sizeBytes / MB).toFixed(1)} MB  ${plural(rows, "row")}` +
            `${b.newestData ? `  data to ${b.newestData.at}` : ""}` +
            `${lastOk ? `  verified ${lastOk.verifiedAt}` : "  never verified"}` +
            `${failedLater ? `  FAILED verification ${lastFailed.verifiedAt}: ${lastFailed.problems[0] ?? ""}` : ""}\n`,
        );
      }
      for (const u of catalog.unreadable) io.stdout.write(`  ${u.id}  UNREADABLE: ${u.reason}\n`);
      for (const i of catalog.incomplete) {
        const size = i.bytes === null ? "" : `, ${(i.bytes / MB).toFixed(1)} MB`;
        const state =
          i.state === "abandoned"
            ? "left by a killed backup: the next backup, restore, verify or retention removes it"
            : i.owner
              ? `still being stored by pid ${i.owner.pid} on ${i.owner.host}`
              : "changed in the last 10 minutes: its writer may still be storing it";
        io.stdout.write(`  ${i.id}  INCOMPLETE (no manifest${size}): ${state}\n`);
      }
      const abandoned = catalog.staging.filter((s) => s.state === "abandoned");
      if (catalog.staging.length > 0) {
        io.stdout.write(
          `${plural(catalog.staging.length, "staging folder")}` +
            `${abandoned.length > 0 ? ` (${stagingMb(abandoned)} MB left by killed operations: the next backup, restore, verify or retention removes them)` : ""}\n`,
        );
        for (const s of catalog.staging) io.stdout.write(`  ${stagingLine(s)}\n`);
      }
      return EXIT.ok;
    });
  },
});
