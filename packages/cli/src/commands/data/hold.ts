import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { printJson } from "../../print-json.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "./store.js";

/**
 * `nines data hold TABLE KEY --reason CASE`: a legal hold; the purge keeps the row's group.
 *
 * @example
 * // nines data hold notes 12 --reason CASE-7 --db app.db --as legal
 */
export const hold = defineCommand({
  name: "hold",
  summary: "place a legal hold on a row (blocks its purge)",
  usage: `Usage: nines data hold TABLE KEY --reason TEXT --db FILE|URL [--as ADMIN] [--json]

Options:
${STORE_USAGE}
  --reason TEXT     the case or ticket (required; written to the audit trail)
`,
  options: { ...STORE_OPTIONS, reason: { type: "string" } },
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    const reason = args.required("reason", "TEXT");
    return await withStore(args, io, async ({ store }) => {
      await store.hold(administrator(args, io), table, key, reason);
      if (args.values.json) printJson(io, { held: { table, key, reason } });
      else io.stdout.write(`held ${table} ${key}: ${reason}\n`);
      return EXIT.ok;
    });
  },
});
