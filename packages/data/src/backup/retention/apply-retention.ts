import { listBackups } from "../catalog.js";
import { manifestKey } from "../manifest.js";
import type { OnProgress } from "../progress.js";
import type { BackupTarget } from "../targets/target.js";
import { listVerifications } from "../verify/verification-record.js";
import { planRetention, type RetentionPlan, type RetentionPolicy } from "./plan-retention.js";

/**
 * Deletes one backup: the manifest first (so a half-deleted backup looks
 * unfinished, never restorable), then the rest of its objects.
 *
 * @example
 * await deleteBackup(target, "20261129T071500000Z-3fa2c1");
 */
export async function deleteBackup(target: BackupTarget, id: string): Promise<void> {
  await target.delete(manifestKey(id));
  for (const key of await target.list(`${id}/`)) await target.delete(key);
}

/**
 * Applies a retention policy at a target: plans with {@link planRetention}
 * (the newest verified backup is never deleted) and, unless `dryRun`,
 * deletes what the plan removes, plus the leftovers of unfinished backups
 * older than the newest complete one.
 *
 * @example
 * const plan = await applyRetention(target, { keepLast: 3, keepDaily: 7, keepWeekly: 4 });
 * console.log(`removed ${plan.remove.length} backups`);
 */
export async function applyRetention(
  target: BackupTarget,
  policy: RetentionPolicy,
  options: { dryRun?: boolean; onProgress?: OnProgress } = {},
): Promise<RetentionPlan & { leftovers: string[] }> {
  const catalog = await listBackups(target);
  const verified = new Set((await listVerifications(target)).filter((r) => r.ok).map((r) => r.backupId));
  const plan = planRetention(
    catalog.backups.map((b) => ({ id: b.id, at: Date.parse(b.startedAt), verified: verified.has(b.id) })),
    policy,
  );
  const newest = catalog.backups.at(-1)?.id ?? "";
  const leftovers = catalog.incomplete.filter((id) => id < newest);
  if (!options.dryRun) {
    for (const id of [...plan.remove, ...leftovers]) {
      options.onProgress?.({ phase: "retention", message: `deleting backup ${id}` });
      await deleteBackup(target, id);
    }
  }
  return { ...plan, leftovers };
}
