import { requireOption } from "@nines/core";

/**
 * Reads a `newestColumn` value into epoch ms: numbers are epoch ms, strings and dates are parsed.
 *
 * @example
 * toEpochMs("2026-11-29T07:15:00Z"); // 1795936500000
 */
export function toEpochMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number" || typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * Splits `table.column`, refusing anything that is not two plain identifiers.
 *
 * @example
 * splitColumn("orders.created_at"); // { table: "orders", column: "created_at" }
 */
export function splitColumn(newestColumn: string): { table: string; column: string } {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(newestColumn);
  requireOption(match !== null, "backup", "newestColumn", newestColumn, "written table.column");
  return { table: match?.[1] as string, column: match?.[2] as string };
}
