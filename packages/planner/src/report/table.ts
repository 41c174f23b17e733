import { visibleLength } from "./colour.js";

export interface Column {
  header: string;
  /** Right-align numbers. */
  align?: "left" | "right";
}

/**
 * A plain-text table: a header row, a rule, and the rows, columns padded to
 * their widest cell (ANSI codes in cells do not count towards the width).
 *
 * @example
 * renderTable([{ header: "Journey" }, { header: "Availability", align: "right" }], [["book-trip", "99.95%"]]);
 * // "Journey    Availability\n---------  ------------\nbook-trip        99.95%"
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = columns.map((column, i) =>
    Math.max(visibleLength(column.header), ...rows.map((row) => visibleLength(row[i] ?? ""))),
  );
  const line = (cells: readonly string[]): string =>
    indent +
    columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
        return column.align === "right" ? pad + cell : i === columns.length - 1 ? cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((row) => line(row)),
  ].join("\n");
}
