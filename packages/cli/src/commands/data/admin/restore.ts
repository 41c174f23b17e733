import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printRestore } from "../print-rows.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "../store.js";

/**
 * `nines data admin restore TABLE KEY`: restores any user's deleted row, soft-deleted ones included.
 *
 * @example
 * // nines data admin restore notes 12 --db app.db --as ops
 */
export const adminRestore = defineCommand({
  name: "restore",
  summary: "restore any user's deleted row (and its group)",
  usage: `Usage: nines data admin restore TABLE KEY --db FILE|URL [--as ADMIN] [--rename] [--json]

Options:
${STORE_USAGE}
  --rename          on a unique conflict, rename the restored row
`,
  options: { ...STORE_OPTIONS, rename: { type: "boolean" } },
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    return await withStore(args, io, async ({ store }) => {
      const result = await store.restore(administrator(args, io), table, key, {
        onConflict: args.values.rename ? "rename" : "fail",
      });
      printRestore(result, args.values.json, io);
      return EXIT.ok;
    });
  },
});
