import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printRestore } from "../print-rows.js";
import { STORE_OPTIONS, STORE_USAGE, user, withStore } from "../store.js";

/**
 * `nines data trash restore TABLE KEY`: brings back a row and the group it was deleted with.
 *
 * @example
 * // nines data trash restore notes 12 --db app.db --as alice --rename
 */
export const trashRestore = defineCommand({
  name: "restore",
  summary: "restore a row (and the group it was deleted with)",
  usage: `Usage: nines data trash restore TABLE KEY --db FILE|URL --as USER [--rename] [--json]

Restoring brings back the whole group the row was deleted with. A unique
value now used by a live row is a conflict unless --rename.

Options:
${STORE_USAGE}
  --rename          on a unique conflict, rename the restored row ("report (restored).pdf")
`,
  options: { ...STORE_OPTIONS, rename: { type: "boolean" } },
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    const actor = user(args);
    return await withStore(args, io, async ({ store }) => {
      const result = await store.restore(actor, table, key, { onConflict: args.values.rename ? "rename" : "fail" });
      printRestore(result, args.values.json, io);
      return EXIT.ok;
    });
  },
});
