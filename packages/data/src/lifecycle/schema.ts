import { type RawBuilder, sql } from "kysely";
import type { DataConnection } from "../connection/open-database.js";
import type { Declaration } from "./declaration.js";
import { lifecycleError } from "./errors.js";
import { META } from "./phase.js";

/** The audit table every delete, restore, hold, release, empty-trash and purge writes one row to. */
export const AUDIT_TABLE = "nines_audit";

/**
 * The statements that prepare the application's declared tables for lazy
 * deletion, in order (exposed so tests can check what each dialect runs):
 * the metadata columns, a partial unique index per declared unique key
 * (`WHERE nines_deleted_at IS NULL`: names held by deleted rows can be
 * reused), indexes for the purge worker, the trash and cascades, and the
 * audit table.
 */
export function schemaStatements(
  connection: DataConnection,
  declaration: Declaration,
  existing: ReadonlyMap<string, ReadonlySet<string>>,
): RawBuilder<unknown>[] {
  const big = sql.raw(connection.dialect === "postgres" ? "bigint" : "integer");
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
  const id = connection.dialect === "postgres" ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  out.push(sql`create table if not exists ${sql.table(AUDIT_TABLE)} (
    id ${id}, at ${big} not null, actor text not null, action text not null,
    table_name text, row_key text, group_id text, row_count integer not null, detail text)`);
  return out;
}

/** The declared tables' columns as they are now (PostgreSQL: in the current schema). */
export async function existingColumns(connection: DataConnection): Promise<Map<string, Set<string>>> {
  const rows =
    connection.dialect === "postgres"
      ? await connection.executor.all<{ t: string; c: string }>({
          sql: "select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema()",
          parameters: [],
        })
      : await connection.executor.all<{ t: string; c: string }>({
          sql: "select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table'",
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
 * what is missing), in one transaction.
 *
 * @example
 * await ensureSchema(db, declaration);
 */
export async function ensureSchema(connection: DataConnection, declaration: Declaration): Promise<void> {
  const existing = await existingColumns(connection);
  const statements = schemaStatements(connection, declaration, existing);
  await connection.executor.transaction(async (tx) => {
    for (const statement of statements) await tx.run(statement.compile(connection.kysely));
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
  if (!existing.has(AUDIT_TABLE)) missing.push(AUDIT_TABLE);
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
