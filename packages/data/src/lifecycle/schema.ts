import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { DataConnection } from "../dialect/dialect.js";
import type { Declaration } from "./declaration.js";
import { lifecycleError } from "./errors.js";
import { META } from "./phase.js";

/**
 * The audit table: one record per delete, restore, empty-trash, delete-forever, hold, release and purge batch.
 *
 * @example
 * await db.kysely.selectFrom(AUDIT_TABLE).selectAll().orderBy("id", "desc").limit(10).execute();
 */
export const AUDIT_TABLE = "nines_audit";

/**
 * The rows each audit record names (record id, table, key as text), for a row's history.
 *
 * @example
 * await db.kysely.selectFrom(AUDIT_ROWS_TABLE).select("audit_id").where("row_key", "=", "12").execute();
 */
export const AUDIT_ROWS_TABLE = "nines_audit_rows";

/**
 * The statements that prepare the application's declared tables for lazy
 * deletion, in order (exposed so tests can check what each dialect runs):
 * the metadata columns, a partial unique index per declared unique key
 * (`WHERE nines_deleted_at IS NULL`: names held by deleted rows can be
 * reused), indexes for the purge worker, the trash and cascades, and the
 * audit tables. The column types come from `dialect.lifecycle`.
 *
 * @example
 * const existing = new Map([["notes", new Set(["id", "owner_id", "title"])]]);
 * for (const statement of schemaStatements(db, declaration, existing)) console.log(statement.compile(db.kysely).sql);
 */
export function schemaStatements(
  connection: DataConnection,
  declaration: Declaration,
  existing: ReadonlyMap<string, ReadonlySet<string>>,
): RawBuilder<unknown>[] {
  const { lifecycle } = connection.dialect;
  const big = lifecycle.stampType;
  const columns: [string, RawBuilder<unknown>][] = [
    [META.deletedAt, big],
    [META.deletedBy, sql.raw("text")],
    [META.group, sql.raw("text")],
    [META.softAt, big],
    [META.purgeAt, big],
    [META.hold, sql.raw("text")],
  ];
  const out: RawBuilder<unknown>[] = [];
  for (const name of declaration.order) {
    const table = declaration.tables.get(name);
    const have = existing.get(name);
    if (!table || !have) {
      throw lifecycleError("unknownTable", `declared table '${name}' does not exist in ${connection.target}`, {
        hint: "create the application's tables first; nines adds its columns to them",
      });
    }
    for (const column of [table.key, table.owner, ...table.unique.flatMap((u) => u.columns)]) {
      if (!have.has(column)) {
        throw lifecycleError("declaration", `table ${name} has no column '${column}' named in its declaration`, {
          hint: "fix the column name in the declaration",
        });
      }
    }
    for (const [column, type] of columns) {
      if (!have.has(column)) out.push(sql`alter table ${sql.table(name)} add column ${sql.ref(column)} ${type}`);
    }
    const t = sql.table(name);
    for (const unique of table.unique) {
      const cols = sql.join(unique.columns.map((c) => sql.ref(c)));
      out.push(
        sql`create unique index if not exists ${sql.ref(unique.index)} on ${t} (${cols}) where ${sql.ref(META.deletedAt)} is null`,
      );
    }
    const index = (suffix: string) => sql.ref(`nines_${suffix}_${name}`.slice(0, 63));
    out.push(
      sql`create index if not exists ${index("g")} on ${t} (${sql.ref(META.group)}) where ${sql.ref(META.group)} is not null`,
    );
    out.push(
      sql`create index if not exists ${index("p")} on ${t} (${sql.ref(META.purgeAt)}) where ${sql.ref(META.deletedAt)} is not null`,
    );
    out.push(
      sql`create index if not exists ${index("o")} on ${t} (${sql.ref(table.owner)}, ${sql.ref(META.softAt)}) where ${sql.ref(META.deletedAt)} is not null`,
    );
    out.push(
      sql`create index if not exists ${index("h")} on ${t} (${sql.ref(META.group)}) where ${sql.ref(META.hold)} is not null`,
    );
    for (const parent of table.parents) {
      out.push(
        sql`create index if not exists ${sql.ref(`nines_c_${name}_${parent.column}`.slice(0, 63))} on ${t} (${sql.ref(parent.column)})`,
      );
    }
  }
  out.push(sql`create table if not exists ${sql.table(AUDIT_TABLE)} (
    id ${lifecycle.auditId}, at ${big} not null, actor text not null, action text not null,
    table_name text, row_key text, group_id text, row_count integer not null, detail text)`);
  out.push(sql`create index if not exists nines_audit_at on ${sql.table(AUDIT_TABLE)} (at)`);
  // Keyed by record first: a record's rows are read and expired together, and on SQLite the table is
  // that key's b-tree (no rowid), so naming a purged row costs two b-tree inserts, not three.
  out.push(sql`create table if not exists ${sql.table(AUDIT_ROWS_TABLE)} (
    audit_id ${big} not null, table_name text not null, row_key text not null,
    primary key (audit_id, table_name, row_key))${lifecycle.keyOrdered}`);
  out.push(
    sql`create index if not exists nines_audit_rows_row on ${sql.table(AUDIT_ROWS_TABLE)} (table_name, row_key)`,
  );
  return out;
}

/**
 * The declared tables' columns as they are now (PostgreSQL: in the current schema).
 *
 * @example
 * (await existingColumns(db)).get("notes")?.has("nines_deleted_at"); // true once prepared
 */
export async function existingColumns(
  connection: DataConnection,
  executor: Executor = connection.executor,
): Promise<Map<string, Set<string>>> {
  const rows = await executor.all<{ t: string; c: string }>({
    sql: connection.dialect.lifecycle.columnsQuery,
    parameters: [],
  });
  const map = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = map.get(row.t) ?? new Set<string>();
    set.add(row.c);
    map.set(row.t, set);
  }
  return map;
}

/**
 * Adds what lazy deletion needs to the declared tables (idempotent: only
 * what is missing), in one transaction. Safe when several instances
 * prepare one database at once: what is missing is read inside the
 * transaction, which the engine serializes (SQLite's BEGIN IMMEDIATE, or
 * the dialect's `lifecycle.schemaLock`), so each column is added once.
 *
 * @example
 * await ensureSchema(db, declaration);
 */
export async function ensureSchema(connection: DataConnection, declaration: Declaration): Promise<void> {
  await connection.executor.transaction(async (tx) => {
    const lock = connection.dialect.lifecycle.schemaLock;
    if (lock !== undefined) await tx.all({ sql: lock, parameters: [] });
    const existing = await existingColumns(connection, tx);
    for (const statement of schemaStatements(connection, declaration, existing)) {
      await tx.run(statement.compile(connection.kysely));
    }
  });
}

/**
 * Checks, without changing anything, that the declared tables carry the
 * store's columns and that the audit table exists (the CLI's guard: it
 * never alters a schema behind the application's back).
 *
 * @example
 * await checkSchema(db, declaration); // throws NINES_DATA_SCHEMA_MISSING when not prepared
 */
export async function checkSchema(connection: DataConnection, declaration: Declaration): Promise<void> {
  const existing = await existingColumns(connection);
  const missing: string[] = [];
  for (const name of declaration.order) {
    const have = existing.get(name);
    if (!have) {
      throw lifecycleError("unknownTable", `declared table '${name}' does not exist in ${connection.target}`, {
        hint: "check --db and the declaration file",
      });
    }
    if (!have.has(META.deletedAt) || !have.has(META.purgeAt)) missing.push(name);
  }
  for (const table of [AUDIT_TABLE, AUDIT_ROWS_TABLE]) if (!existing.has(table)) missing.push(table);
  if (missing.length > 0) {
    throw lifecycleError(
      "schemaMissing",
      `${connection.target} is not prepared for lazy deletion (${missing.join(", ")})`,
      {
        hint: "run 'nines data init --db ... --tables ...' (or LifecycleStore.open in the application) once",
      },
    );
  }
}
