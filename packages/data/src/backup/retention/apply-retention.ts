import { type Clock, type OnProgress, systemClock } from "@nines/core";
import { listBackups } from "../catalog.js";
import { sweepIncomplete } from "../incomplete.js";
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
  /** Ids of unfinished backups (no manifest) whose writer is gone, removed with the plan. */
  leftovers: string[];
  /** Staging folders of killed operations, removed (never a live one's). */
  staging: StagingInfo[];
}

/**
 * Applies a retention policy at a target: plans with {@link planRetention}
 * (the newest verified backup is never deleted; a verification of the same
 * backup, same id and checksum, counts wherever it ran) and, unless
 * `dryRun`, deletes what the plan removes, unfinished backups whose writer
 * is gone (never one still being stored), and what killed backups left in
 * the target's staging folders. `clock` dates them (the system clock by
 * default).
 *
 * @example
 * const result = await applyRetention(target, { keepLast: 3, keepDaily: 7, keepWeekly: 4 });
 * console.log(`removed ${result.remove.length} backups and ${result.staging.length} leftovers`);
 */
export async function applyRetention(
  target: BackupTarget,
  policy: RetentionPolicy,
  options: { dryRun?: boolean; onProgress?: OnProgress; clock?: Clock } = {},
): Promise<RetentionResult> {
  const catalog = await listBackups(target, options.clock ? { clock: options.clock } : {});
  const records = await listVerifications(target);
  const plan = planRetention(
    catalog.backups.map((b) => ({
      id: b.id,
      at: Date.parse(b.startedAt),
      verified: verificationStatus(records, b).lastOk !== undefined,
    })),
    policy,
  );
  if (options.dryRun) {
    return {
      ...plan,
      leftovers: catalog.incomplete.filter((i) => i.state === "abandoned").map((i) => i.id),
      staging: catalog.staging.filter((s) => s.state === "abandoned"),
    };
  }
  for (const id of plan.remove) {
    options.onProgress?.(noteProgress("retention", `deleting backup ${id}`));
    await deleteBackup(target, id);
  }
  const leftovers: string[] = [];
  for (const left of await sweepIncomplete(target, (options.clock ?? systemClock).now())) {
    options.onProgress?.(
      noteProgress("retention", `removed unfinished backup ${left.name} (${left.bytes} bytes) left by a killed backup`),
    );
    leftovers.push(left.name);
  }
  const staging = (await target.sweepStaging?.()) ?? [];
  for (const s of staging) {
    options.onProgress?.(
      noteProgress("retention", `removed ${s.name} (${s.bytes} bytes) left by a killed ${s.operation ?? "operation"}`),
    );
  }
  return { ...plan, leftovers, staging };
}
