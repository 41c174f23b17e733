import { visibleLength } from "./colour.js";

export interface Column {
  header: string;
  /** Right-align numbers. */
  align?: "left" | "right";
  /** Wrap cells wider than this at spaces (cells with colour codes are never wrapped). */
  max?: number;
}

/**
 * Splits `text` into lines of at most `width` characters at spaces (a longer
 * word stays whole on its own line).
 *
 * @example
 * wrapText("restore the latest backup", 12); // ["restore the", "latest", "backup"]
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * A plain-text table: a header row, a rule, and the rows, columns padded to
 * their widest cell (ANSI codes in cells do not count towards the width),
 * long cells wrapped where a column sets `max`.
 *
 * @example
 * renderTable([{ header: "Journey" }, { header: "Availability", align: "right" }], [["book-trip", "99.95%"]]);
 * // "  Journey    Availability\n  ---------  ------------\n  book-trip        99.95%"
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = "  "): string {
  // Each row becomes one or more physical lines.
  const cellLines = rows.map((row) =>
    columns.map((column, i) => {
      const cell = row[i] ?? "";
      if (column.max === undefined || visibleLength(cell) <= column.max || cell.includes("\u001b[")) return [cell];
      return wrapText(cell, column.max);
    }),
  );
  const widths = columns.map((column, i) =>
    Math.max(visibleLength(column.header), ...cellLines.flatMap((row) => (row[i] ?? []).map(visibleLength))),
  );
  const line = (cells: readonly string[]): string =>
    indent +
    columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
        return column.align === "right" ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  const body = cellLines.flatMap((row) => {
    const height = Math.max(...row.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => line(row.map((c) => c[k] ?? "")));
  });
  return [line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w))), ...body].join("\n");
}
