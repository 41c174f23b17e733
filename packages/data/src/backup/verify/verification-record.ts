import type { BackupChecksum } from "../block-checksum.js";
import type { BackupManifest } from "../manifest.js";
import type { BackupTarget } from "../targets/target.js";

/**
 * The result of one restore verification of one backup, kept beside the
 * backups as `verifications/<time>-<backup id>.json`, and beside every copy
 * of that backup the verification was told about. It is about the backup
 * (its id and checksum), not the place: a copy with the same id and
 * checksum holds the same bytes, so it counts as verified too. The
 * `verifiedAt` of the newest record with `ok: true` is what `tested:` means
 * in nines.yaml.
 *
 * @example
 * const records = await listVerifications(target);
 * const last = records.findLast((r) => r.ok);
 */
export interface VerificationRecord {
  format: 1;
  backupId: string;
  /** The checksum of the backup that was verified; absent in records written before it was kept. */
  checksum?: BackupChecksum;
  /** When the verification ran (ISO 8601, on the injected clock). */
  verifiedAt: string;
  ok: boolean;
  /** Why it failed: checksum, restore error, integrity, row counts. Empty when ok. */
  problems: string[];
  /** Measured recovery time: download, checksum check and restore into scratch space, in ms. */
  rtoMs: number;
  /** Measured recovery point: how old the newest data in the backup is at `verifiedAt`, in ms. */
  rpoMs: number;
  /** What the RPO is measured from: the newest-data column if the backup recorded one, else the backup's start. */
  rpoBasis: "newest-data" | "backup-start";
  /** Rows per table in the manifest and in the restored copy. */
  expectedRows: Record<string, number>;
  actualRows: Record<string, number>;
  /** Where the backup was restored from for this verification. */
  verifiedFrom?: string;
}

/** Key prefix of verification records. */
export const VERIFICATIONS = "verifications/";

/** The key of a record: sorts by time. */
export function verificationKey(record: VerificationRecord): string {
  return `${VERIFICATIONS}${record.verifiedAt.replace(/[-:.]/g, "")}-${record.backupId}.json`;
}

function isRecord(value: unknown): value is VerificationRecord {
  const r = value as Partial<VerificationRecord>;
  return (
    typeof r === "object" &&
    r !== null &&
    r.format === 1 &&
    typeof r.backupId === "string" &&
    typeof r.verifiedAt === "string" &&
    typeof r.ok === "boolean" &&
    typeof r.rtoMs === "number" &&
    typeof r.rpoMs === "number"
  );
}

/**
 * Every readable verification record at a target, oldest first (unreadable
 * ones are ignored: they cannot prove anything).
 *
 * @example
 * const last = (await listVerifications(target)).filter((r) => r.ok).at(-1);
 */
export async function listVerifications(target: BackupTarget): Promise<VerificationRecord[]> {
  const records: VerificationRecord[] = [];
  for (const key of await target.list(VERIFICATIONS)) {
    if (!key.endsWith(".json")) continue;
    try {
      const value: unknown = JSON.parse(new TextDecoder().decode(await target.read(key)));
      if (isRecord(value)) records.push(value);
    } catch {
      // An unreadable record proves nothing; the age check treats it as absent.
    }
  }
  return records.sort((a, b) => (a.verifiedAt < b.verifiedAt ? -1 : a.verifiedAt > b.verifiedAt ? 1 : 0));
}

/** True when `record` is about this backup: the same id and (when the record kept one) the same checksum. */
export function recordMatches(record: VerificationRecord, manifest: BackupManifest): boolean {
  if (record.backupId !== manifest.id) return false;
  const c = record.checksum;
  return c === undefined || (c.scheme === manifest.checksum.scheme && c.value === manifest.checksum.value);
}

/**
 * What the records say about one backup: its newest successful and newest
 * failed verification, wherever each ran (records about another backup
 * with the same id but other bytes do not count).
 *
 * @example
 * const { lastOk, lastFailed } = verificationStatus(records, manifest);
 * if (lastFailed && (!lastOk || lastFailed.verifiedAt > lastOk.verifiedAt)) console.warn(lastFailed.problems);
 */
export function verificationStatus(
  records: readonly VerificationRecord[],
  manifest: BackupManifest,
): { lastOk?: VerificationRecord; lastFailed?: VerificationRecord } {
  const mine = records.filter((r) => recordMatches(r, manifest));
  const lastOk = mine.filter((r) => r.ok).at(-1);
  const lastFailed = mine.filter((r) => !r.ok).at(-1);
  return { ...(lastOk ? { lastOk } : {}), ...(lastFailed ? { lastFailed } : {}) };
}
