// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import type { Kysely } from "kysely";
import type { Executor } from "../connection/executor.js";
import { nameGroupRows, setAuditRows, writeAudit } from "../lifecycle/audit.js";
import type { Declaration, DeclaredTable } from "../lifecycle/declaration.js";
import { groupRoot } from "../lifecycle/group-id.js";
import { META } from "../lifecycle/phase.js";
import { groupTables } from "../lifecycle/restore-group.js";
import type { StatementCache } from "../lifecycle/statements.js";

const CHUNK = 200;

/**
 * Writes one `purge-kept` audit record per due group that a legal hold
 * keeps, naming the group's rows and the holds, so that a row's history
 * says why each purge run passed it by. One transaction per chunk of groups.
 */
export async function recordKept(
  executor: Executor,
  kysely: Kysely<any>,
  cache: StatementCache,
  declaration: Declaration,
  groups: readonly string[],
  actor: string,
  now: number,
): Promise<void> {
  for (let i = 0; i < groups.length; i += CHUNK) {
    const chunk = groups.slice(i, i + CHUNK);
    await executor.transaction(async (tx) => {
      const holds = await holdsOf(tx, kysely, declaration, chunk);
      for (const group of chunk) {
        const root = groupRoot(group);
        const id = await writeAudit(tx, kysely, cache, {
          actor,
          action: "purge-kept",
          at: now,
          table: root.table,
          key: root.key,
          group,
          rows: 0,
          detail: { reason: "legal hold", holds: holds.get(group) ?? [] },
        });
        let rows = 0;
        for (const name of groupTables(declaration, group)) {
          rows += await nameGroupRows(tx, kysely, cache, id, declaration.tables.get(name) as DeclaredTable, [group]);
        }
        await setAuditRows(tx, kysely, cache, id, rows);
      }
    });
  }
}

/** The holds on the rows of each group: table, key and reason. */
async function holdsOf(tx: Executor, kysely: Kysely<any>, declaration: Declaration, groups: string[]) {
  const holds = new Map<string, { table: string; key: unknown; reason: string }[]>();
  for (const name of declaration.order) {
    const t = declaration.tables.get(name) as DeclaredTable;
    const rows = await tx.all<Record<string, unknown>>(
      kysely
        .selectFrom(name)
        .select([`${t.key} as k`, `${META.group} as g`, `${META.hold} as h`])
        .where(META.group, "in", groups)
        .where(META.hold, "is not", null)
        .compile(),
    );
    for (const row of rows) {
      const list = holds.get(String(row["g"])) ?? [];
      list.push({ table: name, key: row["k"], reason: String(row["h"]) });
      holds.set(String(row["g"]), list);
    }
  }
  return holds;
}
