import { requireKnownOptions, requireOption } from "@nines/core";
import { type Actor, checkActor, isAdmin } from "./actor.js";
import { setAuditRows, writeAudit } from "./audit.js";
import { readMeta, type StoreContext } from "./context.js";
import { lifecycleError } from "./errors.js";
import { phaseAt } from "./phase.js";
import { clearGroup, prepareRestore, type Renamed } from "./restore-group.js";
import { notFound, uniqueOrRethrow } from "./row-errors.js";

/**
 * How a restore treats a unique value that a live row now holds: `fail`
 * (the default) stops the restore and changes nothing; `rename` gives the
 * restored row a free name (`report (restored).pdf`).
 *
 * @example
 * await store.restore(alice, "notes", 12, { onConflict: "rename" });
 */
export interface RestoreOptions {
  onConflict?: "fail" | "rename";
}

/**
 * What a restore did: the group that came back, its row count, and the
 * restored rows renamed on a unique conflict.
 *
 * @example
 * const { rows, renamed }: RestoreResult = await store.restore(alice, "folders", 3, { onConflict: "rename" });
 */
export interface RestoreResult {
  group: string;
  rows: number;
  renamed: Renamed[];
}

/** Restores the group a row was deleted with (see LifecycleStore.restore). */
export async function restoreRow(
  ctx: StoreContext,
  actor: Actor,
  tableName: string,
  key: unknown,
  options: RestoreOptions,
): Promise<RestoreResult> {
  checkActor(actor);
  requireKnownOptions("restore", options, ["onConflict"]);
  const mode = options.onConflict ?? "fail";
  requireOption(mode === "fail" || mode === "rename", "restore", "onConflict", mode, 'a mode, "fail" or "rename"');
  const t = ctx.table(tableName);
  const admin = isAdmin(actor);
  return await ctx.executor.transaction(async (tx) => {
    const row = await readMeta(ctx, tx, t, key);
    if (!row || (!admin && row.owner !== actor.id)) throw notFound(t, key, false);
    if (row.deletedAt === null || row.group === null) {
      throw lifecycleError("notDeleted", `${t.name} ${String(key)} is not deleted`, { hint: "nothing to restore" });
    }
    const now = ctx.clock.now();
    const phase = phaseAt(row, now);
    // Past the trash period the row is out of its owner's reach: to them it is as if it never existed.
    if (!admin && phase !== "trash") throw notFound(t, key, false);
    if (phase === "purged") {
      throw lifecycleError("restoreExpired", `${t.name} ${String(key)} is past its soft-delete period`, {
        hint: "only a backup can bring it back (nines data restore)",
      });
    }
    const group = row.group;
    try {
      const renamed = await prepareRestore(tx, ctx.kysely, ctx.declaration, group, mode, ctx.cache);
      const id = await writeAudit(tx, ctx.kysely, ctx.cache, {
        actor: actor.id,
        action: "restore",
        at: now,
        table: t.name,
        key,
        group,
        rows: 0,
        detail: { phase, renamed },
      });
      const rows = await clearGroup(tx, ctx.kysely, ctx.declaration, group, ctx.cache, id);
      await setAuditRows(tx, ctx.kysely, ctx.cache, id, rows);
      return { group, rows, renamed };
    } catch (error) {
      // A live row took a unique value between the conflict check and the update (PostgreSQL, concurrent insert).
      throw uniqueOrRethrow(error, t);
    }
  });
}
