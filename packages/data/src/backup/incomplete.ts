import { isBackupId } from "./manifest.js";
import { LEASE_FILE, LEASE_STALE_MS, leaseAbandoned, parseLease } from "./staging/lease.js";
import type { ProcessIdentity } from "./staging/process-identity.js";
import type { StagingInfo } from "./staging/sweep-staging.js";
import type { BackupTarget } from "./targets/target.js";

/**
 * A backup without a manifest: one being stored (on S3, where objects
 * appear one by one), or one whose writer was killed, or the folder an
 * older version left when killed between its data and its manifest.
 *
 * @example
 * { id: "20261129T071500000Z-3fa2c1", bytes: 246415360, modifiedAt: 1764400000000, state: "abandoned" }
 */
export interface IncompleteBackup {
  id: string;
  /** Bytes of its objects; null when the target cannot say. */
  bytes: number | null;
  /** When its newest object was written (epoch ms); null when the target cannot say. */
  modifiedAt: number | null;
  /**
   * `live`: its writer may still be storing it, never removed; `abandoned`:
   * its writer is gone (its lease says so, or, without a lease, nothing in
   * it changed for the lease timeout), and the next backup, restore,
   * verification or retention there removes it.
   */
  state: "live" | "abandoned";
  /** The writer, when its lease names it. */
  owner?: ProcessIdentity;
}

/** Backup ids and the names of their objects, from a target's keys. */
export function backupFolders(keys: readonly string[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const key of keys) {
    const [id, ...rest] = key.split("/");
    if (id === undefined || !isBackupId(id) || rest.length === 0) continue;
    ids.set(id, [...(ids.get(id) ?? []), rest.join("/")]);
  }
  return ids;
}

/**
 * What a manifest-less backup holds and whether its writer is gone: the
 * lease beside its data decides as for a staging folder (a dead pid on
 * this machine, or no renewal for {@link LEASE_STALE_MS} from another);
 * without a lease (an older version's folder), nothing in it may have
 * changed for {@link LEASE_STALE_MS}.
 *
 * @example
 * const info = await describeIncomplete(target, "20261129T071500000Z-3fa2c1", ["data.sqlite"], clock.now());
 */
export async function describeIncomplete(
  target: BackupTarget,
  id: string,
  files: readonly string[],
  now: number,
): Promise<IncompleteBackup> {
  const objects = target.listObjects ? await target.listObjects(`${id}/`) : undefined;
  const bytes = objects ? objects.reduce((n, o) => n + o.bytes, 0) : null;
  const modifiedAt = objects && objects.length > 0 ? Math.max(...objects.map((o) => o.modifiedAt)) : null;
  const lease = files.includes(LEASE_FILE)
    ? parseLease(await target.read(`${id}/${LEASE_FILE}`).catch(() => undefined))
    : undefined;
  const abandoned = lease ? leaseAbandoned(lease, now) : modifiedAt !== null && now - modifiedAt > LEASE_STALE_MS;
  return { id, bytes, modifiedAt, state: abandoned ? "abandoned" : "live", ...(lease ? { owner: lease.owner } : {}) };
}

/**
 * Removes the manifest-less backups at a target whose writer is gone
 * (never one still being stored) and returns what it removed, as staging
 * leftovers are reported.
 *
 * @example
 * const removed = await sweepIncomplete(target, clock.now());
 */
export async function sweepIncomplete(target: BackupTarget, now: number): Promise<StagingInfo[]> {
  const removed: StagingInfo[] = [];
  for (const [id, files] of backupFolders(await target.list())) {
    if (files.includes("manifest.json")) continue;
    const info = await describeIncomplete(target, id, files, now);
    if (info.state !== "abandoned") continue;
    // The lease goes last: a folder half removed still reads as abandoned.
    const order = [...files.filter((f) => f !== LEASE_FILE), ...files.filter((f) => f === LEASE_FILE)];
    for (const file of order) await target.delete(`${id}/${file}`);
    removed.push({
      name: id,
      path: `${target.location.replace(/\/$/, "")}/${id}`,
      operation: "backup",
      bytes: info.bytes ?? 0,
      state: "abandoned",
      ...(info.owner ? { owner: info.owner } : {}),
      startedAt: info.modifiedAt ?? now,
    });
  }
  return removed;
}
