import type { AdminRow, AuditRecord, Declaration, RestoreResult, TrashGroup } from "@nines/data";
import type { Io } from "../../command.js";
import { plural } from "../../plural.js";
import { printJson } from "../../print-json.js";

/**
 * An instant as ISO 8601 to the second, or "-".
 *
 * @example
 * iso(0); // "1970-01-01T00:00:00Z"
 */
export function iso(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Prints a user's trash, one line per row they deleted (named by its
 * table's unique key when the declaration has one, with the rows deleted
 * with it counted per table), or as JSON.
 *
 * @example
 * printTrash(await store.trash(actor), args.values.json, io, declaration);
 */
export function printTrash(
  groups: readonly TrashGroup[],
  json: boolean | undefined,
  io: Io,
  declaration?: Declaration,
): void {
  if (json) {
    printJson(io, groups);
    return;
  }
  if (groups.length === 0) {
    io.stdout.write("the trash is empty\n");
    return;
  }
  for (const g of groups) {
    const nameColumn = declaration?.tables.get(g.table)?.unique[0]?.rename;
    const name = nameColumn === undefined ? "" : ` '${String(g.row[nameColumn])}'`;
    const tables = Object.entries(g.childTables).map(([table, n]) => `${table} ${n}`);
    const children = g.children > 0 ? ` with ${plural(g.children, "row")} (${tables.join(", ")})` : "";
    io.stdout.write(
      `${g.table} ${String(g.key)}${name}${children}  deleted ${iso(g.deletedAt)} by ${g.deletedBy}  restorable until ${iso(g.softAt)}\n`,
    );
  }
}

/**
 * Prints rows as support staff see them (phase, owner, dates, legal hold),
 * one line each, or as JSON.
 *
 * @example
 * printAdminRows(await store.deleted(admin, { phase: "soft" }), args.values.json, io);
 */
export function printAdminRows(
  rows: readonly AdminRow[],
  json: boolean | undefined,
  io: Io,
  empty = "no deleted rows",
): void {
  if (json) {
    printJson(io, rows);
    return;
  }
  if (rows.length === 0) {
    io.stdout.write(`${empty}\n`);
    return;
  }
  for (const r of rows) {
    const restorableUntilAt = r.phase === "trash" ? r.softAt : r.purgeAt;
    const hold = r.hold ? `  HOLD: ${r.hold}` : "";
    io.stdout.write(
      `${r.table} ${String(r.key)}  ${r.phase}  owner ${String(r.owner)}  deleted ${iso(r.deletedAt)} by ${r.deletedBy ?? "-"}  restorable until ${iso(restorableUntilAt)}  group ${r.group ?? "-"}${hold}\n`,
    );
  }
}

/**
 * Prints what a restore brought back (and what it renamed), or as JSON.
 *
 * @example
 * printRestore(await store.restore(actor, "notes", "12"), args.values.json, io);
 */
export function printRestore(result: RestoreResult, json: boolean | undefined, io: Io): void {
  if (json) {
    printJson(io, result);
    return;
  }
  io.stdout.write(`restored ${plural(result.rows, "row")} of group ${result.group}\n`);
  for (const n of result.renamed) {
    io.stdout.write(`  renamed ${n.table} ${String(n.key)}: '${String(n.from)}' -> '${n.to}'\n`);
  }
}

/**
 * Prints one row as support staff read it: phase, owner, dates, legal hold
 * and content, or as JSON (a legal export).
 *
 * @example
 * printAdminRow(row, args.values.json, io);
 */
export function printAdminRow(row: AdminRow, json: boolean | undefined, io: Io): void {
  if (json) {
    printJson(io, row);
    return;
  }
  io.stdout.write(`${row.table} ${String(row.key)}  ${row.phase}  owner ${String(row.owner)}\n`);
  if (row.deletedAt !== null) {
    io.stdout.write(
      `  deleted ${iso(row.deletedAt)} by ${row.deletedBy ?? "-"}, group ${row.group ?? "-"}\n` +
        `  in the trash until ${iso(row.softAt)}, purged from ${iso(row.purgeAt)}\n`,
    );
  }
  if (row.hold !== null) io.stdout.write(`  legal hold: ${row.hold}\n`);
  for (const [column, value] of Object.entries(row.row)) io.stdout.write(`  ${column}: ${JSON.stringify(value)}\n`);
}

/**
 * Prints a row's history, one audit record a line, oldest first, or as JSON.
 *
 * @example
 * printHistory(await store.history(admin, "notes", 12), args.values.json, io);
 */
export function printHistory(records: readonly AuditRecord[], json: boolean | undefined, io: Io): void {
  if (json) {
    printJson(io, records);
    return;
  }
  if (records.length === 0) {
    io.stdout.write("no audit record names this row\n");
    return;
  }
  for (const r of records) {
    const named = r.table === null ? "" : `  ${r.table} ${r.key ?? ""}`;
    const detail = r.detail === null ? "" : `  ${JSON.stringify(r.detail)}`;
    io.stdout.write(`${iso(r.at)}  ${r.action}  by ${r.actor}${named}  ${plural(r.rows, "row")}${detail}\n`);
  }
}
