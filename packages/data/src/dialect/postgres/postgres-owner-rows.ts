import type pg from "pg";
import { conflictClause, ownerConflict, pickRows } from "../../backup/owner-rows/pick-rows.js";
import type { CopiedRows, CopyOwnerRowsOptions } from "../dialect.js";
import { quoteIdent } from "../quote-ident.js";
import { connectOrThrow } from "./postgres-backup-engine.js";

/** `?` placeholders (as `pickRows` writes them) to PostgreSQL's `$1, $2...`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function columnsOf(client: pg.Client, table: string): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  return result.rows.map((r) => r.name);
}

/**
 * An owner restore on PostgreSQL: the rows are chosen in the restored
 * backup database (see `pickRows`), read as JSON and inserted into the live
 * database with `json_populate_recordset` (so every column keeps its type),
 * every table in one transaction.
 *
 * @example
 * await copyPostgresOwnerRows({ backup: scratchUrl, live: "postgres://app@db/shop", owner: "alice", tables, roots, mode: "skip" });
 */
export async function copyPostgresOwnerRows(options: CopyOwnerRowsOptions): Promise<CopiedRows[]> {
  const source = await connectOrThrow(options.backup, "sourceMissing");
  let target: pg.Client | undefined;
  try {
    target = await connectOrThrow(options.live, "sourceMissing");
    const picks = await pickRows(
      {
        run: async (sql, parameters) => (await source.query(numbered(sql), parameters)).rowCount ?? 0,
        source: (table) => quoteIdent(table),
        createPick: async (name, table) => {
          await source.query(
            `CREATE TEMP TABLE ${name} AS SELECT ${quoteIdent(table.key)} AS k FROM ${quoteIdent(table.name)} WITH NO DATA`,
          );
          await source.query(`CREATE UNIQUE INDEX ON ${name} (k)`);
        },
      },
      options.tables,
      options.roots,
      options.owner,
    );
    const batches: { table: (typeof options.tables)[number]; columns: string[]; rows: unknown[] }[] = [];
    for (const table of options.tables) {
      const backupColumns = new Set(await columnsOf(source, table.name));
      const columns = (await columnsOf(target, table.name)).filter((c) => backupColumns.has(c));
      const rows =
        (
          await source.query<{ rows: unknown[] }>(
            `SELECT COALESCE(json_agg(x), '[]'::json) AS rows FROM (SELECT ${columns.map(quoteIdent).join(", ")} FROM ${quoteIdent(table.name)} WHERE ${quoteIdent(table.key)} IN (SELECT k FROM ${picks.get(table.name)})) x`,
          )
        ).rows[0]?.rows ?? [];
      batches.push({ table, columns, rows });
    }
    const live = target;
    await live.query("BEGIN");
    try {
      const copied: CopiedRows[] = [];
      for (const { table, columns, rows } of batches) {
        const t = quoteIdent(table.name);
        const list = columns.map(quoteIdent).join(", ");
        const result = await live
          .query(
            `INSERT INTO ${t} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${t}, $1::json) ${conflictClause(table, columns, options.mode, t, "$2")}`,
            options.mode === "replace" ? [JSON.stringify(rows), options.owner] : [JSON.stringify(rows)],
          )
          .catch((error: { code?: string }) => {
            throw error.code === "23505" ? ownerConflict(table.name, options.owner, error) : error;
          });
        const restored = result.rowCount ?? 0;
        copied.push({ table: table.name, inBackup: rows.length, restored, skipped: rows.length - restored });
      }
      await live.query("COMMIT");
      return copied;
    } catch (error) {
      await live.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  } finally {
    await source.end().catch(() => undefined);
    await target?.end().catch(() => undefined);
  }
}
