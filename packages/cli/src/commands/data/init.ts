import { ensureSchema } from "@nines/data";
import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { printJson } from "../../print-json.js";
import { openConnection, STORE_OPTIONS, STORE_USAGE } from "./store.js";

/**
 * `nines data init`: adds the store's columns, partial unique indexes and audit table (idempotent).
 *
 * @example
 * // nines data init --db app.db --tables nines-data.json
 */
export const init = defineCommand({
  name: "init",
  summary: "prepare the declared tables for lazy deletion (idempotent)",
  usage: `Usage: nines data init --db FILE|URL [--tables FILE] [--schema NAME] [--json]

Adds the lifecycle columns, the partial unique indexes and the audit table
to the declared tables of an existing database. Safe to run again.

Options:
${STORE_USAGE}
`,
  options: STORE_OPTIONS,
  async run(args, io) {
    args.expect();
    const { connection, declaration } = await openConnection(args, io);
    try {
      await ensureSchema(connection, declaration);
      if (args.values.json) printJson(io, { prepared: declaration.order });
      else io.stdout.write(`prepared ${declaration.order.join(", ")} for lazy deletion\n`);
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
});
