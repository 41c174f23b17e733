import Database from "better-sqlite3";
import { conflictClause, ownerConflict, pickRows } from "../../backup/owner-rows/pick-rows.js";
import type { CopiedRows, CopyOwnerRowsOptions } from "../dialect.js";
import { quoteIdent } from "../quote-ident.js";

/**
 * An owner restore on SQLite: the backup copy is attached to the live
 * database, the rows are chosen there (see `pickRows`) and inserted with
 * `INSERT ... SELECT`, every table in one immediate transaction.
 *
 * @example
 * await copySqliteOwnerRows({ backup: "/tmp/copy.sqlite", live: "app.db", owner: "alice", tables, roots, mode: "skip" });
 */
export async function copySqliteOwnerRows(options: CopyOwnerRowsOptions): Promise<CopiedRows[]> {
  const db = new Database(options.live, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare("ATTACH DATABASE ? AS nines_backup").run(options.backup);
    const columnsIn = (schema: string, table: string) =>
      (
        db.prepare("SELECT name FROM pragma_table_info(?, ?) ORDER BY cid").all(table, schema) as { name: string }[]
      ).map((c) => c.name);
    db.exec("BEGIN IMMEDIATE");
    try {
      const picks = await pickRows(
        {
          run: async (sql, parameters) => db.prepare(sql).run(...parameters).changes,
          source: (table) => `nines_backup.${quoteIdent(table)}`,
          // SQLite columns need no type: the key's values keep their own.
          createPick: async (name) => {
            db.exec(`CREATE TEMP TABLE ${name} (k PRIMARY KEY)`);
          },
        },
        options.tables,
        options.roots,
        options.owner,
      );
      const copied: CopiedRows[] = [];
      for (const table of options.tables) {
        const pick = picks.get(table.name) as string;
        const backupColumns = new Set(columnsIn("nines_backup", table.name));
        const columns = columnsIn("main", table.name).filter((c) => backupColumns.has(c));
        const list = columns.map(quoteIdent).join(", ");
        const t = quoteIdent(table.name);
        const inBackup = (db.prepare(`SELECT COUNT(*) AS n FROM ${pick}`).get() as { n: number }).n;
        const clause = conflictClause(table, columns, options.mode, `main.${t}`, "?");
        let restored: number;
        try {
          restored = db
            .prepare(
              `INSERT INTO main.${t} (${list}) SELECT ${list} FROM nines_backup.${t} WHERE ${quoteIdent(table.key)} IN (SELECT k FROM ${pick}) ${clause}`,
            )
            .run(...(options.mode === "replace" ? [options.owner] : [])).changes;
        } catch (error) {
          if ((error as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT")) {
            throw ownerConflict(table.name, options.owner, error);
          }
          throw error;
        }
        copied.push({ table: table.name, inBackup, restored, skipped: inBackup - restored });
      }
      db.exec("COMMIT");
      return copied;
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    db.close();
  }
}
