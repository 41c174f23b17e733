import { purge as runPurge } from "@nines/data";
import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { plural } from "../../plural.js";
import { printJson } from "../../print-json.js";
import { progressPrinter } from "../../progress-printer.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "./store.js";

/**
 * `nines data purge`: removes rows past their soft-delete period, for good.
 *
 * @example
 * // nines data purge --db app.db --dry-run
 * // nines data purge --db app.db --confirm --rate 50000
 */
export const purge = defineCommand({
  name: "purge",
  summary: "remove rows past their soft-delete period (--dry-run first)",
  usage: `Usage: nines data purge --db FILE|URL [--dry-run] [--confirm] [--batch N] [--rate ROWS_PER_S]
       [--max-share 0.1] [--max-rows N] [--json]

Whole groups only, one transaction per batch: safe to interrupt and rerun.
Rows under a legal hold stay (each run records why in their history).
Audit records older than the declaration's auditDays are removed last. A run that would purge more than --max-share
of all rows (from 1,000 rows on) or more than --max-rows stops unless --confirm.

Options:
${STORE_USAGE}
  --dry-run         count what would go; change nothing
  --confirm         go on even when the run is unusually large
  --batch N         groups per transaction (default 500)
  --rate N          at most N rows per second
  --max-share F     guard: share of all rows (default 0.1)
  --max-rows N      guard: number of rows (default 100000)
`,
  options: {
    ...STORE_OPTIONS,
    "dry-run": { type: "boolean" },
    confirm: { type: "boolean" },
    batch: { type: "string" },
    rate: { type: "string" },
    "max-share": { type: "string" },
    "max-rows": { type: "string" },
  },
  async run(args, io) {
    args.expect();
    const batch = args.wholeNumber("batch", 1);
    const rate = args.positiveNumber("rate");
    const maxShare = args.positiveNumber("max-share");
    const maxRows = args.wholeNumber("max-rows", 1);
    return await withStore(args, io, async ({ store }) => {
      const result = await runPurge(store, {
        actor: administrator(args, io),
        dryRun: args.values["dry-run"] === true,
        confirm: args.values.confirm === true,
        ...(batch !== undefined && { batchGroups: batch }),
        ...(rate !== undefined && { rowsPerSecond: rate }),
        guard: { ...(maxShare !== undefined && { maxShare }), ...(maxRows !== undefined && { maxRows }) },
        onProgress: progressPrinter(io, "nines data purge"),
      });
      if (args.values.json) printJson(io, result);
      else if (result.dryRun) {
        io.stdout.write(
          `dry run: ${result.eligibleRows} of ${plural(result.totalRows, "row")} would be purged; ` +
            `${result.heldRows} kept by legal holds${result.unusual ? "; UNUSUAL: a real run needs --confirm" : ""}\n`,
        );
      } else {
        const expired =
          result.expiredAuditRecords > 0 ? `; ${plural(result.expiredAuditRecords, "audit record")} expired` : "";
        io.stdout.write(
          `purged ${plural(result.purgedRows, "row")} in ${plural(result.purgedGroups, "group")}; ` +
            `${result.heldRows} kept by legal holds${expired}\n`,
        );
      }
      return EXIT.ok;
    });
  },
});
