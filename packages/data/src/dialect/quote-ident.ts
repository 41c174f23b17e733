/**
 * Double-quotes an SQL identifier (SQLite and PostgreSQL use the same rule).
 *
 * @example
 * quoteIdent('odd"name'); // "\"odd\"\"name\""
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
