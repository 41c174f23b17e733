import { type Clock, requireOption, systemClock } from "@nines/core";
import { backupError } from "../errors.js";
import type { BackupTarget } from "../targets/target.js";
import { listVerifications, type VerificationRecord } from "./verification-record.js";

/**
 * The newest successful verification at a target, or undefined. This date is `tested:` in nines.yaml.
 *
 * @example
 * const last = await lastVerified(openTarget("./backups")); // last?.verifiedAt
 */
export async function lastVerified(target: BackupTarget): Promise<VerificationRecord | undefined> {
  return (await listVerifications(target)).filter((r) => r.ok).at(-1);
}

/**
 * The alert: throws `NINES_BACKUP_VERIFY_STALE` when the last successful
 * restore verification at `target` is older than `maxAgeMs` on the clock,
 * or when there is none. Returns that record and its age otherwise.
 *
 * @example
 * await checkVerificationAge({ target, maxAgeMs: 7 * 86_400_000 }); // throws when stale
 */
export async function checkVerificationAge(options: {
  target: BackupTarget;
  maxAgeMs: number;
  clock?: Clock;
}): Promise<{ last: VerificationRecord; ageMs: number }> {
  requireOption(options.maxAgeMs > 0, "checkVerificationAge", "maxAgeMs", options.maxAgeMs, "> 0");
  const clock = options.clock ?? systemClock;
  const last = await lastVerified(options.target);
  const hint = `run 'nines data verify --from ${options.target.location}' and fix what it reports`;
  if (!last) {
    throw backupError(
      "verifyStale",
      `no successful restore verification in ${options.target.location}: the backups are untested`,
      { hint },
    );
  }
  const ageMs = clock.now() - Date.parse(last.verifiedAt);
  if (ageMs > options.maxAgeMs) {
    const days = (ms: number) => `${(ms / 86_400_000).toFixed(1)} days`;
    throw backupError(
      "verifyStale",
      `the last successful restore verification in ${options.target.location} was ${days(ageMs)} ago (${last.verifiedAt}, backup ${last.backupId}), older than the allowed ${days(options.maxAgeMs)}`,
      { hint, details: { ageMs, last } },
    );
  }
  return { last, ageMs };
}
