import { existsSync, readFileSync } from "node:fs";
import { closestName } from "@nines/core";
import { lifecycleError } from "./errors.js";

/**
 * A unique key among live rows: its columns, and which one to rename when a restore conflicts.
 *
 * @example
 * const key: UniqueKeyDeclaration = { columns: ["owner_id", "title"], rename: "title" };
 */
export interface UniqueKeyDeclaration {
  columns: string[];
  /** The column that `onConflict: "rename"` changes; the last column that is not the owner by default. */
  rename?: string;
}

/**
 * A parent relation: `column` of this table holds the key of a row of `table`.
 *
 * @example
 * const parent: ParentDeclaration = { table: "folders", column: "folder_id" };
 */
export interface ParentDeclaration {
  table: string;
  column: string;
}

/**
 * How one of the application's tables takes part in lazy deletion.
 * `unique` may list plain column arrays (`[["owner_id", "name"]]`).
 *
 * @example
 * const notes: TableDeclaration = { key: "id", owner: "owner_id", unique: [["owner_id", "title"]],
 *   parents: [{ table: "folders", column: "folder_id" }] };
 */
export interface TableDeclaration {
  /** The single-column primary key. */
  key: string;
  /** The column naming the row's owner (a user id). */
  owner: string;
  unique?: (string[] | UniqueKeyDeclaration)[];
  parents?: ParentDeclaration[];
}

/**
 * The whole declaration, as written in code or in a JSON file (see docs/data.md).
 *
 * @example
 * const input: LifecycleDeclaration = { trashDays: 30, softDays: 30, tables: { notes: { key: "id", owner: "owner_id" } } };
 */
export interface LifecycleDeclaration {
  tables: Record<string, TableDeclaration>;
  /** Days a deleted row stays in its owner's trash (default 30). */
  trashDays?: number;
  /** Days a row stays soft-deleted, restorable by an administrator (default 30). */
  softDays?: number;
  /**
   * Days an audit record is kept before the purge worker removes it
   * (default 365, or trashDays + softDays when longer; never less than
   * those, so a row's history outlives the row).
   */
  auditDays?: number;
}

/**
 * A validated table: relations resolved both ways.
 *
 * @example
 * declaration.tables.get("folders")?.children; // [{ table: "notes", column: "folder_id" }]
 */
export interface DeclaredTable {
  readonly name: string;
  readonly key: string;
  readonly owner: string;
  readonly unique: readonly { readonly columns: readonly string[]; readonly rename: string; readonly index: string }[];
  readonly parents: readonly ParentDeclaration[];
  /** Relations where another table (or this one) names this table as parent. */
  readonly children: readonly { readonly table: string; readonly column: string }[];
}

/**
 * A validated declaration: tables in parent-before-child order, periods in milliseconds.
 *
 * @example
 * const declaration: Declaration = declareTables(input);
 * declaration.order; // ["folders", "notes", "tags"]
 */
export interface Declaration {
  readonly tables: ReadonlyMap<string, DeclaredTable>;
  /** Table names, parents before children (self-relations aside). */
  readonly order: readonly string[];
  readonly trashMs: number;
  readonly softMs: number;
  /** How long an audit record is kept. */
  readonly auditMs: number;
}

const DAY = 86_400_000;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(where: string, message: string, hint: string) {
  return lifecycleError("declaration", `${where}: ${message}`, { hint });
}

const DECLARATION_KEYS = ["tables", "trashDays", "softDays", "auditDays"];
const TABLE_KEYS = ["key", "owner", "unique", "parents"];

/** A misspelt key (`trashDay`) would otherwise be ignored and its default used silently. */
function knownKeys(where: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    throw invalid(where, `unknown key '${key}'`, near ? `did you mean '${near}'?` : `the keys are ${known.join(", ")}`);
  }
}

function ident(where: string, value: unknown, what: string): string {
  if (typeof value !== "string" || !IDENT.test(value) || value.toLowerCase().startsWith("nines_")) {
    throw invalid(
      where,
      `${what} must be a plain SQL identifier not starting with nines_, got ${JSON.stringify(value)}`,
      "use letters, digits and underscores",
    );
  }
  return value;
}

/**
 * Validates a declaration of the application's tables for lazy deletion:
 * key, owner, unique keys (enforced among live rows only) and parent
 * relations (deleting a parent deletes its children as one group).
 *
 * @example
 * const declaration = declareTables({
 *   tables: {
 *     folders: { key: "id", owner: "owner_id", unique: [["owner_id", "name"]] },
 *     notes: { key: "id", owner: "owner_id", unique: [["owner_id", "title"]],
 *              parents: [{ table: "folders", column: "folder_id" }] },
 *   },
 *   trashDays: 30,
 *   softDays: 30,
 * });
 */
export function declareTables(input: LifecycleDeclaration, source = "declaration"): Declaration {
  if (typeof input !== "object" || input === null || typeof input.tables !== "object" || input.tables === null) {
    throw invalid(source, "expected an object with 'tables'", 'write { "tables": { "notes": { "key": "id", ... } } }');
  }
  knownKeys(source, input, DECLARATION_KEYS);
  const days = (value: unknown, name: string, fallback: number): number => {
    if (value === undefined) return fallback * DAY;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw invalid(source, `${name} must be a number of days >= 0, got ${JSON.stringify(value)}`, `set ${name}: 30`);
    }
    return value * DAY;
  };
  const names = Object.keys(input.tables);
  if (names.length === 0) throw invalid(source, "declares no tables", "declare at least one table under 'tables'");
  const tables = new Map<string, DeclaredTable & { children: { table: string; column: string }[] }>();
  for (const name of names) {
    const where = `${source}: table ${name}`;
    ident(where, name, "the table name");
    const table = input.tables[name] as TableDeclaration;
    if (typeof table !== "object" || table === null) throw invalid(where, "must be an object", "give key and owner");
    knownKeys(where, table, TABLE_KEYS);
    const key = ident(where, table.key, "key");
    const owner = ident(where, table.owner, "owner");
    const unique = (table.unique ?? []).map((entry, i) => {
      const u = Array.isArray(entry) ? { columns: entry } : entry;
      if (!Array.isArray(u?.columns) || u.columns.length === 0) {
        throw invalid(where, `unique[${i}] must list columns`, 'write "unique": [["owner_id", "name"]]');
      }
      const columns = u.columns.map((c) => ident(where, c, `unique[${i}] column`));
      const rename = u.rename ?? [...columns].reverse().find((c) => c !== owner) ?? columns[columns.length - 1];
      if (!columns.includes(rename as string)) {
        throw invalid(
          where,
          `unique[${i}].rename '${rename}' is not one of its columns`,
          "name one of the key's columns",
        );
      }
      return { columns, rename: rename as string, index: `nines_u_${name}_${columns.join("_")}`.slice(0, 63) };
    });
    const parents = (table.parents ?? []).map((p, i) => ({
      table: ident(where, p?.table, `parents[${i}].table`),
      column: ident(where, p?.column, `parents[${i}].column`),
    }));
    tables.set(name, { name, key, owner, unique, parents, children: [] });
  }
  for (const table of tables.values()) {
    for (const parent of table.parents) {
      const target = tables.get(parent.table);
      if (!target) {
        throw invalid(
          `${source}: table ${table.name}`,
          `parent table '${parent.table}' is not declared`,
          "declare the parent table too",
        );
      }
      target.children.push({ table: table.name, column: parent.column });
    }
  }
  const trashMs = days(input.trashDays, "trashDays", 30);
  const softMs = days(input.softDays, "softDays", 30);
  const auditMs = days(input.auditDays, "auditDays", Math.max(365, (trashMs + softMs) / DAY));
  if (auditMs < trashMs + softMs) {
    throw invalid(
      source,
      `auditDays (${auditMs / DAY}) is shorter than trashDays + softDays (${(trashMs + softMs) / DAY}): a row's history would be forgotten before the row`,
      `set auditDays to at least ${(trashMs + softMs) / DAY}, or leave it out`,
    );
  }
  return Object.freeze({ tables, order: topological(tables, source), trashMs, softMs, auditMs });
}

function topological(tables: Map<string, DeclaredTable>, source: string): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      throw invalid(
        source,
        `parent relations form a cycle: ${[...path, name].join(" -> ")}`,
        "only a table may be its own parent",
      );
    }
    state.set(name, "visiting");
    for (const parent of tables.get(name)?.parents ?? [])
      if (parent.table !== name) visit(parent.table, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of tables.keys()) visit(name, []);
  return order;
}

/**
 * Reads a JSON declaration file (the format of {@link LifecycleDeclaration}).
 *
 * @example
 * const declaration = loadDeclaration("nines-data.json");
 */
export function loadDeclaration(file: string): Declaration {
  if (!existsSync(file)) {
    throw invalid(file, "declaration file not found", "pass --tables FILE with a JSON declaration (see docs/data.md)");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw invalid(file, `not valid JSON: ${(error as Error).message}`, "fix the JSON syntax");
  }
  return declareTables(parsed as LifecycleDeclaration, file);
}
