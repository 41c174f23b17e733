/**
 * A deletion group's id: the table and key of the row the actor deleted
 * (the group's root) and the instant, so that the root is found again from
 * the id alone and two deletions of the same row never share an id.
 */
export function groupId(table: string, key: unknown, at: number): string {
  return `${table}:${String(key)}:${at}`;
}

/** The root row a group id names: its table and its key as text. */
export function groupRoot(group: string): { table: string; key: string } {
  const first = group.indexOf(":");
  const last = group.lastIndexOf(":");
  return { table: group.slice(0, first), key: first < last ? group.slice(first + 1, last) : "" };
}
