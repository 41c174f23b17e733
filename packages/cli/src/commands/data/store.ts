import { resolve } from "node:path";
import {
  type Actor,
  checkSchema,
  type DataConnection,
  type Declaration,
  LifecycleStore,
  loadDeclaration,
  openDatabase,
} from "@nines/data";
import { type Args, type OptionValues, resolveDatabase } from "../../args.js";
import type { Io } from "../../command.js";

/** The options every lifecycle command takes (`init`, `trash`, `admin`, `hold`, `release`, `purge`). */
export const STORE_OPTIONS = {
  db: { type: "string" },
  tables: { type: "string" },
  schema: { type: "string" },
  as: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Their lines in a command's help. */
export const STORE_USAGE = `  --db FILE|URL     the SQLite file or postgres:// URL (required)
  --tables FILE     the JSON declaration of the tables (default: nines-data.json)
  --schema NAME     PostgreSQL schema (default: the URL's search_path)
  --as NAME         who acts, named in the audit trail
  --json            print JSON instead of text`;

type StoreArgs = Pick<Args<typeof STORE_OPTIONS>, "command" | "error"> & { values: OptionValues<typeof STORE_OPTIONS> };

/** A database and its table declaration, from --db, --tables and --schema; nothing is created. */
export async function openConnection(
  args: StoreArgs,
  io: Io,
): Promise<{ connection: DataConnection; declaration: Declaration }> {
  const { db, tables, schema } = args.values;
  if (!db) throw args.error("--db FILE|URL is required");
  const declaration = loadDeclaration(resolve(io.cwd, tables ?? "nines-data.json"));
  const connection = await openDatabase(resolveDatabase(db, io.cwd), { create: false, ...(schema ? { schema } : {}) });
  return { connection, declaration };
}

/** An open store from --db, --tables and --schema: the database must exist and be prepared (`nines data init`). */
async function openStore(
  args: StoreArgs,
  io: Io,
): Promise<{ store: LifecycleStore; connection: DataConnection; declaration: Declaration }> {
  const { connection, declaration } = await openConnection(args, io);
  try {
    await checkSchema(connection, declaration);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return { store: new LifecycleStore({ connection, declaration }), connection, declaration };
}

/**
 * Runs `work` with an open store from --db, --tables and --schema and
 * closes the connection when it is done, whether it returned or threw. The
 * database must exist and be prepared (`nines data init`); nothing is
 * created or altered.
 *
 * @example
 * return await withStore(args, io, async ({ store }) => {
 *   await store.hold(administrator(args, io), table, key, reason);
 *   return EXIT.ok;
 * });
 */
export async function withStore<T>(
  args: StoreArgs,
  io: Io,
  work: (opened: { store: LifecycleStore; declaration: Declaration }) => Promise<T>,
): Promise<T> {
  const { store, connection, declaration } = await openStore(args, io);
  try {
    return await work({ store, declaration });
  } finally {
    await connection.close();
  }
}

/** The acting user: --as, required for a user's own commands. */
export function user(args: StoreArgs): Actor {
  if (!args.values.as) throw args.error("--as USER is required: the user whose trash this is");
  return { id: args.values.as };
}

/** The acting administrator: --as, else $USER. */
export function administrator(args: StoreArgs, io: Io): Actor {
  return { id: args.values.as ?? io.env["USER"] ?? "admin", admin: true };
}
