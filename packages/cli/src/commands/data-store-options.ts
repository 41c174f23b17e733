import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { NinesError } from "@nines/core";
import {
  type Actor,
  checkSchema,
  type DataConnection,
  type Declaration,
  isPostgresTarget,
  LifecycleStore,
  loadDeclaration,
  openDatabase,
} from "@nines/data";
import type { Io } from "../command.js";

/** Error code for a `nines data` lifecycle command line that cannot be understood. */
export const DATA_USAGE = "NINES_DATA_USAGE";

/** The options every lifecycle subcommand takes. */
export const STORE_OPTIONS = {
  db: { type: "string" },
  tables: { type: "string" },
  schema: { type: "string" },
  as: { type: "string" },
  json: { type: "boolean" },
} as const;

export const STORE_USAGE = `  --db FILE|URL     the SQLite file or postgres:// URL (required)
  --tables FILE     the JSON declaration of the tables (default: nines-data.json)
  --schema NAME     PostgreSQL schema (default: the URL's search_path)
  --as NAME         who acts, named in the audit trail
  --json            print JSON instead of text`;

export function usageError(command: string, message: string): NinesError {
  return new NinesError(DATA_USAGE, `${command}: ${message}`, {
    hint: "run 'nines data --help' for the options",
  });
}

type Spec = Record<string, { type: "string" | "boolean"; short?: string }>;
type ValuesOf<S extends Spec> = { [K in keyof S]?: S[K]["type"] extends "boolean" ? boolean : string };

/** Parses a subcommand's arguments (unknown flags are usage errors). */
export function parse<S extends Spec>(
  command: string,
  args: string[],
  options: S,
): { values: ValuesOf<S> & ValuesOf<typeof STORE_OPTIONS>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...STORE_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return parsed as unknown as { values: ValuesOf<S> & ValuesOf<typeof STORE_OPTIONS>; positionals: string[] };
  } catch (error) {
    throw usageError(command, (error as Error).message);
  }
}

/** An open store from --db/--tables: the file must exist and be prepared; nothing is created or altered. */
export async function openStore(
  command: string,
  values: { db?: string | undefined; tables?: string | undefined; schema?: string | undefined },
  io: Io,
): Promise<{ store: LifecycleStore; connection: DataConnection; declaration: Declaration }> {
  if (!values.db) throw usageError(command, "--db FILE|URL is required");
  const db = isPostgresTarget(values.db) || isAbsolute(values.db) ? values.db : resolve(io.cwd, values.db);
  const declaration = loadDeclaration(resolve(io.cwd, values.tables ?? "nines-data.json"));
  const connection = await openDatabase(db, { create: false, ...(values.schema ? { schema: values.schema } : {}) });
  try {
    await checkSchema(connection, declaration);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return { store: new LifecycleStore({ connection, declaration }), connection, declaration };
}

/** The acting user (--as, required for users' commands). */
export function user(command: string, name: string | undefined): Actor {
  if (!name) throw usageError(command, "--as USER is required: the user whose trash this is");
  return { id: name };
}

/** The acting administrator (--as, else $USER). */
export function administrator(name: string | undefined, io: Io): Actor {
  return { id: name ?? io.env["USER"] ?? "admin", admin: true };
}

/** TABLE KEY positionals. */
export function tableAndKey(command: string, positionals: string[]): [string, string] {
  const [table, key, extra] = positionals;
  if (table === undefined || key === undefined || extra !== undefined) throw usageError(command, "expected TABLE KEY");
  return [table, key];
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
