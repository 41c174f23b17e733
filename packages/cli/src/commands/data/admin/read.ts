import { LIFECYCLE_ERRORS, LifecycleError } from "@nines/data";
import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printAdminRow } from "../print-rows.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "../store.js";

/**
 * `nines data admin read TABLE KEY`: one row of any user, in any phase while it is stored.
 *
 * @example
 * // nines data admin read notes 12 --db app.db --json
 */
export const adminRead = defineCommand({
  name: "read",
  summary: "read one row of any user, with its phase, dates and content",
  usage: `Usage: nines data admin read TABLE KEY --db FILE|URL [--json]

Prints one row with its phase, dates, legal hold and content: live, in the
trash, soft-deleted, or past its period while a legal hold keeps it.

Options:
${STORE_USAGE}
`,
  options: STORE_OPTIONS,
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    return await withStore(args, io, async ({ store }) => {
      const row = await store.inspect(administrator(args, io), table, key);
      if (!row) {
        throw new LifecycleError(LIFECYCLE_ERRORS.notFound, `no ${table} row with key ${key} is stored`, {
          hint: "it never existed, or the purge removed it (or will: it is past its period and not held)",
        });
      }
      printAdminRow(row, args.values.json, io);
      return EXIT.ok;
    });
  },
});
