import type { Dialect, OwnerTable } from "../../dialect/dialect.js";
import { backupError } from "../errors.js";

/** The columns each table has, read through Kysely's introspection (both engines). */
async function columnsOf(dialect: Dialect, location: string): Promise<Map<string, Set<string>>> {
  const connection = await dialect.open(location, { create: false });
  try {
    const tables = await connection.kysely.introspection.getTables();
    const columns = new Map<string, Set<string>>();
    // PostgreSQL lists every schema: the search path's default, public, wins over a same-named table elsewhere.
    for (const t of [...tables].sort((a, b) => Number(a.schema === "public") - Number(b.schema === "public"))) {
      columns.set(t.name, new Set(t.columns.map((c) => c.name)));
    }
    return columns;
  } finally {
    await connection.close();
  }
}

function neededColumns(table: OwnerTable): string[] {
  return [...new Set([table.key, table.owner, ...table.parents.map((p) => p.column)])];
}

/**
 * Checks, before anything is downloaded, that the live database has every
 * table of an owner restore with its key, owner and parent columns.
 *
 * @example
 * await checkLiveTables(dialectFor("app.db"), "app.db", plan.tables); // throws NINES_BACKUP_TABLE_UNKNOWN
 */
export async function checkLiveTables(dialect: Dialect, live: string, tables: readonly OwnerTable[]): Promise<void> {
  const columns = await columnsOf(dialect, live);
  for (const table of tables) {
    const have = columns.get(table.name);
    if (!have) {
      throw backupError("tableUnknown", `declared table '${table.name}' does not exist in ${dialect.redact(live)}`, {
        hint: "check --to and the table declaration (nines-data.json)",
      });
    }
    const missing = neededColumns(table).filter((c) => !have.has(c));
    if (missing.length > 0) {
      throw backupError(
        "tableUnknown",
        `table '${table.name}' in ${dialect.redact(live)} has no column ${missing.map((c) => `'${c}'`).join(", ")} (declared as its key, owner or parent)`,
        { hint: "make the declaration (nines-data.json) match the table" },
      );
    }
  }
}

/**
 * The tables of an owner restore that a restored backup has; a table the
 * backup lacks entirely (added since) is left out, one that lacks a
 * declared column is refused.
 *
 * @example
 * const { present, absent } = await backupTables(dialect, scratch.location, plan.tables, manifest.id);
 */
export async function backupTables(
  dialect: Dialect,
  copy: string,
  tables: readonly OwnerTable[],
  id: string,
): Promise<{ present: OwnerTable[]; absent: string[] }> {
  const columns = await columnsOf(dialect, copy);
  const present: OwnerTable[] = [];
  const absent: string[] = [];
  for (const table of tables) {
    const have = columns.get(table.name);
    if (!have) {
      absent.push(table.name);
      continue;
    }
    const missing = neededColumns(table).filter((c) => !have.has(c));
    if (missing.length > 0) {
      throw backupError(
        "tableUnknown",
        `table '${table.name}' in backup ${id} has no column ${missing.map((c) => `'${c}'`).join(", ")}`,
        { hint: "the backup predates the declaration; restore from a newer backup (--id)" },
      );
    }
    present.push({ ...table, parents: table.parents.filter((p) => !absent.includes(p.table)) });
  }
  return { present, absent };
}
