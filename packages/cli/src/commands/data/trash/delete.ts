import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { plural } from "../../../plural.js";
import { printJson } from "../../../print-json.js";
import { iso } from "../print-rows.js";
import { STORE_OPTIONS, STORE_USAGE, user, withStore } from "../store.js";

/**
 * `nines data trash delete TABLE KEY`: deletes one item of the trash forever.
 *
 * @example
 * // nines data trash delete folders 3 --db app.db --as alice
 */
export const trashDelete = defineCommand({
  name: "delete",
  summary: "delete one item forever (its whole group leaves the user's reach)",
  usage: `Usage: nines data trash delete TABLE KEY --db FILE|URL --as USER [--json]

Deletes one item of USER's trash forever: the row and everything deleted
with it leave USER's reach at once (an administrator can still restore them
until the purge). Any row of the item names it. Audited with every row.

Options:
${STORE_USAGE}
`,
  options: STORE_OPTIONS,
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    const actor = user(args);
    return await withStore(args, io, async ({ store }) => {
      const result = await store.deleteForever(actor, table, key);
      if (args.values.json) printJson(io, result);
      else {
        io.stdout.write(
          `deleted forever: ${table} ${key} and what was deleted with it, ${plural(result.rows, "row")}; ` +
            `purged from ${iso(result.purgeAt)}\n`,
        );
      }
      return EXIT.ok;
    });
  },
});
