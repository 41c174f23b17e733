import { BACKUP_ERRORS, checkVerificationAge, verifyBackup } from "@nines/data";
import { resolveDatabase } from "../../args.js";
import { defineCommand } from "../../define-command.js";
import { CliError, EXIT } from "../../errors.js";
import { printJson } from "../../print-json.js";
import { progressPrinter } from "../../progress-printer.js";
import { KEY_FILE_OPTION, verifyIfReplica } from "./replica-options.js";
import { ENDPOINT_OPTION, withTargets } from "./targets.js";

/** A duration in the largest unit that still shows its size: 840 ms, 12.3 s, 4.5 min, 3.2 h, 2.1 d. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/**
 * `nines data verify`: proves the newest backup restores, or checks the age of the last proof.
 *
 * @example
 * // nines data verify --from backups --from s3://bucket/app --max-age 7d
 * // nines data verify --from backups --check --max-age 7d
 */
export const verify = defineCommand({
  name: "verify",
  summary: "restore the newest backup into scratch space and check it; alert when the last proof is too old",
  usage: `Usage: nines data verify --from LOCATION [--from LOCATION ...] [--max-age 7d] [--check] [options]

Restores the newest backup (or --id) of the first --from into scratch
space, checks integrity and row counts, measures RTO and RPO and records
the result beside the backup (verifications/*.json), and beside its copy
in every other --from that holds the same backup (same id and checksum):
the verification counts for each copy. The last successful record's date
is what 'tested:' means in nines.yaml. Exits 1 when the verification fails
or the last successful one is older than --max-age.

Options:
  --from LOCATION   directory or s3://bucket/prefix holding the backups (repeat for the other copies)
  --max-age AGE     alert when the last success is older (e.g. 7d, 36h, 2w)
  --check           only check the age of the last success; restore nothing
  --id ID           verify this backup instead of the newest
  --scratch DIR|URL an existing scratch directory (SQLite) or postgres:// server (pg dumps)
  --key-file FILE   a replica's key, when it is encrypted (else NINES_REPLICA_KEY)
  --endpoint URL    S3-compatible endpoint
  --json            print { verification, recordedIn, age } as JSON
`,
  options: {
    from: { type: "string", multiple: true },
    "max-age": { type: "string" },
    check: { type: "boolean" },
    id: { type: "string" },
    scratch: { type: "string" },
    json: { type: "boolean" },
    ...KEY_FILE_OPTION,
    ...ENDPOINT_OPTION,
  },
  async run(args, io) {
    args.expect();
    const from = args.values.from ?? [];
    if (from.length === 0) throw args.error("--from LOCATION is required");
    const maxAgeMs = args.durationMs("max-age");
    const { check, id, scratch, json } = args.values;
    if (check && maxAgeMs === undefined) throw args.error("--check needs --max-age");
    return await withTargets(from, io, args.values.endpoint, async ([target, ...copies]) => {
      if (target === undefined) return EXIT.usage;
      const output: Record<string, unknown> = {};
      if (!check) {
        const onProgress = progressPrinter(io, "nines data verify");
        const scratchDir = scratch && resolveDatabase(scratch, io.cwd);
        // A replica (nines data replicate) is verified by restoring its latest point.
        const { record, recordedIn } =
          (await verifyIfReplica(args, io, target, { onProgress, ...(scratchDir && { scratch: scratchDir }) })) ??
          (await verifyBackup({
            target,
            copies,
            onProgress,
            ...(id && { id }),
            ...(scratchDir && { scratch: scratchDir }),
          }));
        output["verification"] = record;
        output["recordedIn"] = recordedIn;
        if (!json) {
          io.stdout.write(
            `${record.ok ? "verified" : "FAILED"} backup ${record.backupId}: RTO ${duration(record.rtoMs)}, ` +
              `RPO ${duration(record.rpoMs)} (${record.rpoBasis})\n  recorded in ${recordedIn.join(", ")}\n`,
          );
          if (record.ok) io.stdout.write(`  nines.yaml: backups: { tested: ${record.verifiedAt.slice(0, 10)} }\n`);
        }
        if (!record.ok) {
          const message = `restore verification of backup ${record.backupId} failed: ${record.problems.join("; ")}`;
          if (json) {
            printJson(io, output);
            return EXIT.findings;
          }
          throw new CliError(BACKUP_ERRORS.verifyFailed, message, {
            hint: "the newest backup does not restore: take a new backup now and find out why this one is bad",
            exitCode: EXIT.findings,
          });
        }
      }
      if (maxAgeMs !== undefined) {
        const { last, ageMs } = await checkVerificationAge({ target, maxAgeMs });
        output["age"] = { lastVerifiedAt: last.verifiedAt, ageMs, maxAgeMs };
        if (!json) {
          io.stdout.write(
            `last successful verification ${last.verifiedAt} (${duration(ageMs)} ago), within ${args.values["max-age"]}\n`,
          );
        }
      }
      if (json) printJson(io, output);
      return EXIT.ok;
    });
  },
});
