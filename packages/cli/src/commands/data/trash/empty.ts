import { defineCommand } from "../../../define-command.js";
import { EXIT } from "../../../errors.js";
import { plural } from "../../../plural.js";
import { printJson } from "../../../print-json.js";
import { STORE_OPTIONS, STORE_USAGE, user, withStore } from "../store.js";

/**
 * `nines data trash empty`: moves everything in a user's trash out of their reach.
 *
 * @example
 * // nines data trash empty --db app.db --as alice
 */
export const trashEmpty = defineCommand({
  name: "empty",
  summary: "empty the user's trash (administrators can still restore)",
  usage: `Usage: nines data trash empty --db FILE|URL --as USER [--json]

Moves every group in USER's trash to the soft-deleted phase: USER no longer
sees or restores them; an administrator still can until the purge.

Options:
${STORE_USAGE}
`,
  options: STORE_OPTIONS,
  async run(args, io) {
    args.expect();
    const actor = user(args);
    return await withStore(args, io, async ({ store }) => {
      const result = await store.emptyTrash(actor);
      if (args.values.json) printJson(io, result);
      else {
        io.stdout.write(
          `emptied: ${plural(result.groups, "group")}, ${plural(result.rows, "row")} now restorable only by an administrator\n`,
        );
      }
      return EXIT.ok;
    });
  },
});
