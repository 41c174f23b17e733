import { type Clock, isNinesError, systemClock } from "@nines/core";
import { BACKUP_ERRORS } from "../../backup/errors.js";
import type { StagingInfo } from "../../backup/staging/sweep-staging.js";
import type { BackupTarget } from "../../backup/targets/target.js";
import { listReplica } from "../layout/replica-catalog.js";
import { planReplicaRetention } from "./plan-replica-retention.js";

/** What retention did in one target. */
export interface ReplicaRetentionResult {
  target: string;
  /** Keys removed. */
  removed: string[];
  /** The oldest point still restorable there (epoch ms). */
  oldestRestorableAt?: number;
  /** What killed operations had left in the target's folder, removed. */
  staging: StagingInfo[];
}

/**
 * Applies {@link planReplicaRetention} to a target: removes what no point
 * within the window needs, and what killed writers left behind.
 *
 * @example
 * const { removed } = await applyReplicaRetention(target, { windowMs: 7 * 86_400_000 });
 */
export async function applyReplicaRetention(
  target: BackupTarget,
  options: { windowMs: number; clock?: Clock; keep?: string },
): Promise<ReplicaRetentionResult> {
  const clock = options.clock ?? systemClock;
  let catalog: Awaited<ReturnType<typeof listReplica>>;
  try {
    catalog = await listReplica(target);
  } catch (error) {
    if (isNinesError(error, BACKUP_ERRORS.locationMissing))
      return { target: target.location, removed: [], staging: [] };
    throw error;
  }
  const plan = planReplicaRetention(catalog, {
    now: clock.now(),
    windowMs: options.windowMs,
    ...(options.keep === undefined ? {} : { keep: options.keep }),
  });
  for (const key of plan.remove) await target.delete(key);
  const staging = (await target.sweepStaging?.()) ?? [];
  return {
    target: target.location,
    removed: plan.remove,
    ...(plan.oldestRestorableAt === undefined ? {} : { oldestRestorableAt: plan.oldestRestorableAt }),
    staging,
  };
}
