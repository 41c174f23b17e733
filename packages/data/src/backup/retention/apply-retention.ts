import type { OnProgress } from "@nines/core";
import { listBackups } from "../catalog.js";
import { manifestKey } from "../manifest.js";
import { noteProgress } from "../progress.js";
import type { StagingInfo } from "../staging/sweep-staging.js";
import type { BackupTarget } from "../targets/target.js";
import { listVerifications, verificationStatus } from "../verify/verification-record.js";
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

/** What {@link applyRetention} decided and removed. */
export interface RetentionResult extends RetentionPlan {
  /** Unfinished backups (no manifest) older than the newest complete one, removed with the plan. */
  leftovers: string[];
  /** Staging folders of killed operations, removed (never a live one's). */
  staging: StagingInfo[];
}

/**
 * Applies a retention policy at a target: plans with {@link planRetention}
 * (the newest verified backup is never deleted; a verification of the same
 * backup, same id and checksum, counts wherever it ran) and, unless
 * `dryRun`, deletes what the plan removes, the leftovers of unfinished
 * backups older than the newest complete one, and what killed backups left
 * in the target's staging folders.
 *
 * @example
 * const result = await applyRetention(target, { keepLast: 3, keepDaily: 7, keepWeekly: 4 });
 * console.log(`removed ${result.remove.length} backups and ${result.staging.length} leftovers`);
 */
export async function applyRetention(
  target: BackupTarget,
  policy: RetentionPolicy,
  options: { dryRun?: boolean; onProgress?: OnProgress } = {},
): Promise<RetentionResult> {
  const catalog = await listBackups(target);
  const records = await listVerifications(target);
  const plan = planRetention(
    catalog.backups.map((b) => ({
      id: b.id,
      at: Date.parse(b.startedAt),
      verified: verificationStatus(records, b).lastOk !== undefined,
    })),
    policy,
  );
  const newest = catalog.backups.at(-1)?.id ?? "";
  const leftovers = catalog.incomplete.filter((id) => id < newest);
  const abandoned = catalog.staging.filter((s) => s.state === "abandoned");
  if (options.dryRun) return { ...plan, leftovers, staging: abandoned };
  for (const id of [...plan.remove, ...leftovers]) {
    options.onProgress?.(noteProgress("retention", `deleting backup ${id}`));
    await deleteBackup(target, id);
  }
  const staging = (await target.sweepStaging?.()) ?? [];
  for (const s of staging) {
    options.onProgress?.(
      noteProgress("retention", `removed ${s.name} (${s.bytes} bytes) left by a killed ${s.operation ?? "operation"}`),
    );
  }
  return { ...plan, leftovers, staging };
}
