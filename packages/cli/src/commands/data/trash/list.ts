import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { printTrash } from "../print-rows.js";
import { STORE_OPTIONS, STORE_USAGE, user, withStore } from "../store.js";

/**
 * `nines data trash list`: what a user deleted and can still restore, one
 * line per item (the row they deleted, with the rows deleted with it).
 *
 * @example
 * // nines data trash list --db app.db --as alice --oldest --limit 20
 */
export const trashList = defineCommand({
  name: "list",
  summary: "list what the user deleted (newest first)",
  usage: `Usage: nines data trash list --db FILE|URL --as USER [--oldest] [--limit N] [--json]

Lists what USER deleted that is still in the trash: one line per item, the
row USER deleted with the rows deleted with it counted, and the date until
which it is restorable. Newest deletion first.

Options:
${STORE_USAGE}
  --oldest          oldest deletion first
  --limit N         at most N items
`,
  options: { ...STORE_OPTIONS, oldest: { type: "boolean" }, limit: { type: "string" } },
  async run(args, io) {
    args.expect();
    const actor = user(args);
    const limit = args.wholeNumber("limit", 1);
    const order = args.values.oldest ? "oldest" : "newest";
    return await withStore(args, io, async ({ store, declaration }) => {
      const items = await store.trash(actor, { order, ...(limit !== undefined && { limit }) });
      printTrash(items, args.values.json, io, declaration);
      return EXIT.ok;
    });
  },
});
