import { type Actor, requireAdmin } from "./actor.js";
import { nameRow, writeAudit } from "./audit.js";
import { readMeta, type StoreContext } from "./context.js";
import { lifecycleError } from "./errors.js";
import { META } from "./phase.js";
import { notFound } from "./row-errors.js";

/** Places (`reason`) or lifts (null) a legal hold on one row (see LifecycleStore.hold and release). */
export async function setHold(
  ctx: StoreContext,
  actor: Actor,
  tableName: string,
  key: unknown,
  reason: string | null,
): Promise<void> {
  const action = reason === null ? "release" : "hold";
  requireAdmin(actor, `${action} legal holds`);
  const t = ctx.table(tableName);
  if (reason !== null && (typeof reason !== "string" || reason.trim() === "")) {
    throw lifecycleError("held", "a legal hold needs a reason", {
      hint: "give the case or ticket, e.g. --reason CASE-12",
    });
  }
  await ctx.executor.transaction(async (tx) => {
    const row = await readMeta(ctx, tx, t, key);
    if (!row) throw notFound(t, key, false);
    if (reason === null && row.hold === null) {
      throw lifecycleError("notHeld", `${t.name} ${String(key)} has no legal hold`, { hint: "nothing to release" });
    }
    await tx.run(
      ctx.kysely
        .updateTable(t.name)
        .set({ [META.hold]: reason })
        .where(t.key, "=", key)
        .compile(),
    );
    const id = await writeAudit(tx, ctx.kysely, ctx.cache, {
      actor: actor.id,
      action,
      at: ctx.clock.now(),
      table: t.name,
      key,
      group: row.group,
      rows: 1,
      detail: reason === null ? { previous: row.hold } : { reason },
    });
    await nameRow(tx, ctx.kysely, id, t.name, key);
  });
}
