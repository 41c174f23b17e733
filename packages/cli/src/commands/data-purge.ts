import { isAbsolute, resolve } from "node:path";
import { ensureSchema, isPostgresTarget, loadDeclaration, openDatabase, purge } from "@nines/data";
import { type Command, EXIT, type Io } from "../command.js";
import { administrator, openStore, parse, STORE_USAGE, usageError } from "./data-store-options.js";

function positive(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(command, `${flag} must be a number > 0, got '${value}'`);
  return n;
}

/**
 * `nines data purge`: removes rows past their soft-delete period, for good.
 *
 * @example
 * // nines data purge --db app.db --dry-run
 * // nines data purge --db app.db --confirm --rate 50000
 */
export const purgeCommand: Command = {
  name: "purge",
  summary: "remove rows past their soft-delete period (--dry-run first)",
  usage: `Usage: nines data purge --db FILE|URL [--dry-run] [--confirm] [--batch N] [--rate ROWS_PER_S]
       [--max-share 0.1] [--max-rows N]

Whole groups only, one transaction per batch: safe to interrupt and rerun.
Rows under a legal hold stay. A run that would purge more than --max-share
of all rows (from 1,000 rows on) or more than --max-rows stops unless --confirm.
${STORE_USAGE}
  --dry-run         count what would go; change nothing
  --confirm         go on even when the run is unusually large
  --batch N         groups per transaction (default 500)
  --rate N          at most N rows per second
  --max-share F     guard: share of all rows (default 0.1)
  --max-rows N      guard: number of rows (default 100000)`,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse("purge", args, {
      "dry-run": { type: "boolean" },
      confirm: { type: "boolean" },
      batch: { type: "string" },
      rate: { type: "string" },
      "max-share": { type: "string" },
      "max-rows": { type: "string" },
    });
    if (positionals.length > 0) throw usageError("purge", `unexpected '${positionals[0]}'`);
    const batch = positive("purge", "--batch", values.batch);
    const rate = positive("purge", "--rate", values.rate);
    const maxShare = positive("purge", "--max-share", values["max-share"]);
    const maxRows = positive("purge", "--max-rows", values["max-rows"]);
    const { store, connection } = await openStore("purge", values, io);
    try {
      const result = await purge(store, {
        actor: administrator(values.as, io),
        dryRun: values["dry-run"] === true,
        confirm: values.confirm === true,
        ...(batch ? { batchGroups: Math.floor(batch) } : {}),
        ...(rate ? { rowsPerSecond: rate } : {}),
        guard: { ...(maxShare ? { maxShare } : {}), ...(maxRows ? { maxRows } : {}) },
        onProgress: (p) => io.stderr.write(`purge: ${p.purgedRows}/${p.eligibleRows} rows, ${p.batches} batch(es)\n`),
      });
      if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.dryRun) {
        io.stdout.write(
          `dry run: ${result.eligibleRows} of ${result.totalRows} rows would be purged; ${result.heldRows} kept by legal holds${result.unusual ? "; UNUSUAL: a real run needs --confirm" : ""}\n`,
        );
      } else {
        io.stdout.write(
          `purged ${result.purgedRows} rows in ${result.purgedGroups} groups; ${result.heldRows} kept by legal holds\n`,
        );
      }
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};

/**
 * `nines data init`: adds the store's columns, partial unique indexes and audit table (idempotent).
 *
 * @example
 * // nines data init --db app.db --tables nines-data.json
 */
export const initCommand: Command = {
  name: "init",
  summary: "prepare the declared tables for lazy deletion (idempotent)",
  usage: `Usage: nines data init --db FILE|URL [--tables FILE]
${STORE_USAGE}`,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse("init", args, {});
    if (positionals.length > 0) throw usageError("init", `unexpected '${positionals[0]}'`);
    if (!values.db) throw usageError("init", "--db FILE|URL is required");
    const declaration = loadDeclaration(resolve(io.cwd, values.tables ?? "nines-data.json"));
    const db = isPostgresTarget(values.db) || isAbsolute(values.db) ? values.db : resolve(io.cwd, values.db);
    const connection = await openDatabase(db, { create: false, ...(values.schema ? { schema: values.schema } : {}) });
    try {
      await ensureSchema(connection, declaration);
      io.stdout.write(`prepared ${declaration.order.join(", ")} for lazy deletion\n`);
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};
