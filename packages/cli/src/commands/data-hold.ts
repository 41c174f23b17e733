import { type Command, EXIT, type Io } from "../command.js";
import { administrator, openStore, parse, STORE_USAGE, tableAndKey, usageError } from "./data-store-options.js";

/**
 * `nines data hold TABLE KEY --reason CASE`: a legal hold; the purge worker keeps the row's group.
 *
 * @example
 * // nines data hold notes 12 --reason CASE-7 --db app.db --as legal
 */
export const holdCommand: Command = {
  name: "hold",
  summary: "place a legal hold on a row (blocks its purge)",
  usage: `Usage: nines data hold TABLE KEY --reason TEXT --db FILE|URL [--as ADMIN]
${STORE_USAGE}
  --reason TEXT     the case or ticket (required; written to the audit trail)`,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse("hold", args, { reason: { type: "string" } });
    const [table, key] = tableAndKey("hold", positionals);
    if (!values.reason) throw usageError("hold", "--reason TEXT is required");
    const { store, connection } = await openStore("hold", values, io);
    try {
      await store.hold(administrator(values.as, io), table, key, values.reason);
      io.stdout.write(`held ${table} ${key}: ${values.reason}\n`);
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};

/**
 * `nines data release TABLE KEY`: lifts a legal hold.
 *
 * @example
 * // nines data release notes 12 --db app.db --as legal
 */
export const releaseCommand: Command = {
  name: "release",
  summary: "lift a legal hold",
  usage: `Usage: nines data release TABLE KEY --db FILE|URL [--as ADMIN]
${STORE_USAGE}`,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse("release", args, {});
    const [table, key] = tableAndKey("release", positionals);
    const { store, connection } = await openStore("release", values, io);
    try {
      await store.release(administrator(values.as, io), table, key);
      io.stdout.write(`released ${table} ${key}\n`);
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};
