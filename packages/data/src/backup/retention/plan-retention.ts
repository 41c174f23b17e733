import { requireOption } from "@nines/core";

/**
 * How many backups to keep: the newest `keepLast`, plus the newest backup
 * of each of the last `keepDaily` UTC days and `keepWeekly` ISO weeks that
 * have backups (grandfather-father-son). The last good backup is kept
 * whatever these say.
 *
 * @example
 * const policy: RetentionPolicy = { keepLast: 3, keepDaily: 7, keepWeekly: 4 };
 */
export interface RetentionPolicy {
  keepLast: number;
  keepDaily: number;
  keepWeekly: number;
}

/** A backup as retention sees it. */
export interface RetentionItem {
  id: string;
  /** Epoch ms the backup was taken. */
  at: number;
  /** True when a successful restore verification exists for it. */
  verified: boolean;
}

/** The plan: what to keep (with why) and what to delete. */
export interface RetentionPlan {
  keep: { id: string; reasons: string[] }[];
  remove: string[];
  /** The backup protected as the last good one, if any. */
  lastGood?: string;
}

const DAY = 86_400_000;

function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** ISO week label, e.g. "2026-W48" (weeks start on Monday, UTC). */
export function isoWeek(at: number): string {
  const date = new Date(Math.floor(at / DAY) * DAY);
  const weekday = date.getUTCDay() || 7; // Monday = 1 ... Sunday = 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / DAY + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/**
 * Decides which backups retention keeps; pure, so it can be shown with
 * `--dry-run` and tested exhaustively. The newest verified backup is always
 * kept; when none is verified, the newest backup is. Applying the plan and
 * planning again removes nothing more.
 *
 * @example
 * const plan = planRetention(items, { keepLast: 2, keepDaily: 7, keepWeekly: 4 });
 * for (const id of plan.remove) await deleteBackup(target, id);
 */
export function planRetention(items: readonly RetentionItem[], policy: RetentionPolicy): RetentionPlan {
  for (const key of ["keepLast", "keepDaily", "keepWeekly"] as const) {
    requireOption(Number.isInteger(policy[key]) && policy[key] >= 0, "retention", key, policy[key], "an integer >= 0");
  }
  const newestFirst = [...items].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  const reasons = new Map<string, string[]>();
  const mark = (id: string, reason: string) => reasons.set(id, [...(reasons.get(id) ?? []), reason]);

  for (const [i, item] of newestFirst.slice(0, policy.keepLast).entries()) mark(item.id, `last ${i + 1}`);
  const buckets = (label: (at: number) => string, count: number, name: string) => {
    const seen = new Set<string>();
    for (const item of newestFirst) {
      const bucket = label(item.at);
      if (seen.has(bucket)) continue;
      if (seen.size >= count) break;
      seen.add(bucket);
      mark(item.id, `${name} ${bucket}`);
    }
  };
  buckets(dayOf, policy.keepDaily, "daily");
  buckets(isoWeek, policy.keepWeekly, "weekly");

  const lastGood = newestFirst.find((i) => i.verified) ?? newestFirst[0];
  if (lastGood) mark(lastGood.id, lastGood.verified ? "last verified" : "newest (none verified)");

  return {
    keep: newestFirst.filter((i) => reasons.has(i.id)).map((i) => ({ id: i.id, reasons: reasons.get(i.id) ?? [] })),
    remove: newestFirst.filter((i) => !reasons.has(i.id)).map((i) => i.id),
    ...(lastGood ? { lastGood: lastGood.id } : {}),
  };
}
