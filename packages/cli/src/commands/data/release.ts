import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { printJson } from "../../print-json.js";
import { administrator, STORE_OPTIONS, STORE_USAGE, withStore } from "./store.js";

/**
 * `nines data release TABLE KEY`: lifts a legal hold.
 *
 * @example
 * // nines data release notes 12 --db app.db --as legal
 */
export const release = defineCommand({
  name: "release",
  summary: "lift a legal hold",
  usage: `Usage: nines data release TABLE KEY --db FILE|URL [--as ADMIN] [--json]

Options:
${STORE_USAGE}
`,
  options: STORE_OPTIONS,
  async run(args, io) {
    const [table, key] = args.expect("TABLE", "KEY") as [string, string];
    return await withStore(args, io, async ({ store }) => {
      await store.release(administrator(args, io), table, key);
      if (args.values.json) printJson(io, { released: { table, key } });
      else io.stdout.write(`released ${table} ${key}\n`);
      return EXIT.ok;
    });
  },
});
