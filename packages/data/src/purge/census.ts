// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { Declaration } from "../lifecycle/declaration.js";
import { META } from "../lifecycle/phase.js";

/** What the purge finds before it starts: all rows, the due rows it may purge, the due rows a hold keeps. */
export interface Census {
  total: number;
  eligible: number;
  held: number;
}

/** No row of the group (in any table) is under a legal hold; `c` is the outer row. */
function notHeld(eb: ExpressionBuilder<any, any>, declaration: Declaration) {
  return declaration.order.map((other) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom(`${other} as h`)
          .select(sql.lit(1).as("one"))
          .whereRef(`h.${META.group}`, "=", `c.${META.group}`)
          .where(`h.${META.hold}`, "is not", null),
      ),
    ),
  );
}

/** Up to `limit` due groups with no legal hold on any of their rows, in any table. */
export async function candidateGroups(
  tx: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  now: number,
  limit: number,
): Promise<string[]> {
  const groups = new Set<string>();
  for (const name of declaration.order) {
    if (groups.size >= limit) break;
    const rows = await tx.all<{ g: string }>(
      kysely
        .selectFrom(`${name} as c`)
        .select(sql.ref(`c.${META.group}`).as("g"))
        .distinct()
        .where(`c.${META.deletedAt}`, "is not", null)
        .where(`c.${META.purgeAt}`, "<=", now)
        .where((eb: ExpressionBuilder<any, any>) => eb.and(notHeld(eb, declaration)))
        .limit(limit - groups.size)
        .compile(),
    );
    for (const row of rows) groups.add(row.g);
  }
  return [...groups];
}

/** Due groups that a legal hold on one of their rows keeps (all rows of a group are due together). */
export async function heldDueGroups(
  executor: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  now: number,
): Promise<string[]> {
  const groups = new Set<string>();
  for (const name of declaration.order) {
    const rows = await executor.all<{ g: string }>(
      kysely
        .selectFrom(name)
        .select(sql.ref(META.group).as("g"))
        .distinct()
        .where(META.deletedAt, "is not", null)
        .where(META.purgeAt, "<=", now)
        .where(META.hold, "is not", null)
        .compile(),
    );
    for (const row of rows) groups.add(row.g);
  }
  return [...groups].sort();
}

/** Counts every declared table's rows, its due rows, and those a hold keeps. */
export async function countRows(
  executor: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  now: number,
): Promise<Census> {
  let total = 0;
  let eligible = 0;
  let held = 0;
  for (const name of declaration.order) {
    const [row] = await executor.all<{ total: unknown; past: unknown; free: unknown }>(
      kysely
        .selectFrom(`${name} as c`)
        .select((eb: ExpressionBuilder<any, any>) => [
          eb.fn.countAll().as("total"),
          eb.fn
            .count(
              sql`case when ${sql.ref(`c.${META.deletedAt}`)} is not null and ${sql.ref(`c.${META.purgeAt}`)} <= ${now} then 1 end`,
            )
            .as("past"),
          eb.fn
            .count(
              sql`case when ${sql.ref(`c.${META.deletedAt}`)} is not null and ${sql.ref(`c.${META.purgeAt}`)} <= ${now} and ${eb.and(notHeld(eb, declaration))} then 1 end`,
            )
            .as("free"),
        ])
        .compile(),
    );
    total += Number(row?.total ?? 0);
    eligible += Number(row?.free ?? 0);
    held += Number(row?.past ?? 0) - Number(row?.free ?? 0);
  }
  return { total, eligible, held };
}
