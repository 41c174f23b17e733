import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printAdminRows } from "../print-rows.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "../store.js";

/**
 * `nines data admin held`: every row a legal hold keeps, in any phase, with its content.
 *
 * @example
 * // nines data admin held --db app.db --owner alice --json > legal-export.json
 */
export const adminHeld = defineCommand({
  name: "held",
  summary: "list every row a legal hold keeps, in any phase",
  usage: `Usage: nines data admin held --db FILE|URL [--owner USER] [--json]

Lists the rows under a legal hold, in any phase (live ones too), and the
other rows of their deletion groups, which the hold keeps with them. With
--json, each row's content is included: a legal export.

Options:
${STORE_USAGE}
  --owner USER      only this user's rows
`,
  options: { ...STORE_OPTIONS, owner: { type: "string" } },
  async run(args, io) {
    args.expect();
    const owner = args.values.owner;
    return await withStore(args, io, async ({ store }) => {
      const rows = await store.held(administrator(args, io), { ...(owner && { owner }) });
      printAdminRows(rows, args.values.json, io, "no rows under a legal hold");
      return EXIT.ok;
    });
  },
});
