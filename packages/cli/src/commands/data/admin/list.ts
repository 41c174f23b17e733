import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printAdminRows } from "../print-rows.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "../store.js";

/**
 * `nines data admin list`: deleted rows of every user, for support staff.
 *
 * @example
 * // nines data admin list --db app.db --phase soft --owner alice
 */
export const adminList = defineCommand({
  name: "list",
  summary: "list deleted rows of every user",
  usage: `Usage: nines data admin list --db FILE|URL [--phase trash|soft] [--owner USER] [--json]

Options:
${STORE_USAGE}
  --phase P         only rows in the trash or soft-deleted phase
  --owner USER      only this user's rows
`,
  options: { ...STORE_OPTIONS, phase: { type: "string" }, owner: { type: "string" } },
  async run(args, io) {
    args.expect();
    const phase = args.oneOf("phase", ["trash", "soft"]);
    const owner = args.values.owner;
    return await withStore(args, io, async ({ store }) => {
      const rows = await store.deleted(administrator(args, io), { ...(phase && { phase }), ...(owner && { owner }) });
      printAdminRows(rows, args.values.json, io);
      return EXIT.ok;
    });
  },
});
