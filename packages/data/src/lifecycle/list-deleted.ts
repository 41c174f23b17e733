// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { Kysely } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { Declaration } from "./declaration.js";
import { META, type Phase, phaseAt, stamp } from "./phase.js";

/** A deleted row as the trash and the administrators' list show it. */
export interface DeletedRow {
  table: string;
  key: unknown;
  owner: unknown;
  group: string;
  phase: Phase;
  deletedAt: number;
  deletedBy: string;
  /** When the trash period ends (the owner can no longer restore). */
  softAt: number;
  /** When the row becomes purgeable (nobody can restore). */
  purgeAt: number;
  hold: string | null;
  /** The application's columns. */
  row: Record<string, unknown>;
}

const META_COLUMNS = new Set<string>(Object.values(META));

/** Deleted rows in the given phases at `now`, newest deletion first (internal). */
export async function deletedRows(
  executor: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  now: number,
  filter: { owner?: string; phases: ("trash" | "soft")[] },
): Promise<DeletedRow[]> {
  const out: DeletedRow[] = [];
  const trash = filter.phases.includes("trash");
  const soft = filter.phases.includes("soft");
  for (const name of declaration.order) {
    const t = declaration.tables.get(name);
    if (!t) continue;
    let q = kysely.selectFrom(t.name).selectAll().where(META.deletedAt, "is not", null).where(META.purgeAt, ">", now);
    if (filter.owner !== undefined) q = q.where(t.owner, "=", filter.owner);
    if (trash && !soft) q = q.where(META.softAt, ">", now);
    if (soft && !trash) q = q.where(META.softAt, "<=", now);
    for (const row of await executor.all<Record<string, unknown>>(q.compile())) {
      const stamps = {
        deletedAt: stamp(row[META.deletedAt]),
        softAt: stamp(row[META.softAt]),
        purgeAt: stamp(row[META.purgeAt]),
      };
      out.push({
        table: t.name,
        key: row[t.key],
        owner: row[t.owner],
        group: String(row[META.group]),
        phase: phaseAt(stamps, now),
        deletedAt: stamps.deletedAt ?? 0,
        deletedBy: String(row[META.deletedBy]),
        softAt: stamps.softAt ?? 0,
        purgeAt: stamps.purgeAt ?? 0,
        hold: (row[META.hold] as string | null) ?? null,
        row: Object.fromEntries(Object.entries(row).filter(([k]) => !META_COLUMNS.has(k))),
      });
    }
  }
  return out.sort((a, b) => b.deletedAt - a.deletedAt || a.table.localeCompare(b.table));
}
