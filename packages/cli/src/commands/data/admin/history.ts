import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printHistory } from "../print-rows.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "../store.js";

/**
 * `nines data admin history TABLE KEY`: what happened to one row, from the audit trail.
 *
 * @example
 * // nines data admin history notes 12 --db app.db
 */
export const adminHistory = defineCommand({
  name: "history",
  summary: "what happened to one row: every audit record that names it",
  usage: `Usage: nines data admin history TABLE KEY --db FILE|URL [--json]

Prints every audit record that names the row, oldest first: deletes (its
own or a parent's), restores, empty-trash, delete-forever, legal holds,
purge runs that kept it under a hold, and the purge that removed it, each
with its time and actor. Records are kept for the declaration's auditDays.

Options:
${STORE_USAGE}
`,
  options: STORE_OPTIONS,
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    return await withStore(args, io, async ({ store }) => {
      printHistory(await store.history(administrator(args, io), table, key), args.values.json, io);
      return EXIT.ok;
    });
  },
});
