import type { Clock, Timer } from "@nines/core";
import { LEASE_FILE, LEASE_RENEW_MS, type Lease } from "./staging/lease.js";
import { currentProcess } from "./staging/process-identity.js";
import type { BackupTarget, StagedFolder } from "./targets/target.js";

/** A lease object put straight under the backup's id, renewed while the backup is stored. */
function leasedWriter(target: BackupTarget, id: string, clock: Clock, lease: Lease): StagedFolder {
  const leaseKey = `${id}/${LEASE_FILE}`;
  const written: string[] = [];
  let timer: Timer | undefined;
  let renewal: Promise<void> = Promise.resolve();
  let stopped = false;
  let committed = false;
  const schedule = (): void => {
    timer = clock.schedule(LEASE_RENEW_MS, () => {
      if (stopped) return;
      lease.renewedAt = clock.now();
      // A failed renewal only makes the lease look older to readers; the backup carries on.
      renewal = target.put(leaseKey, leaseBody(lease)).catch(() => undefined);
      schedule();
    });
  };
  const stop = async (): Promise<void> => {
    stopped = true;
    timer?.cancel();
    await renewal;
  };
  schedule();
  return {
    async put(name, body) {
      const key = `${id}/${name}`;
      written.push(key);
      await target.put(key, body);
    },
    async commit() {
      await stop();
      committed = true;
      // The manifest, put last, made the backup complete; the lease is only tidied away.
      await target.delete(leaseKey).catch(() => undefined);
    },
    async release() {
      await stop();
      if (committed) return;
      // A failed store removes what it wrote (best effort: what stays is abandoned, and swept, once the lease is stale).
      for (const key of [...written, leaseKey]) await target.delete(key).catch(() => undefined);
    },
  };
}

function leaseBody(lease: Lease): { bytes: Uint8Array } {
  return { bytes: new TextEncoder().encode(`${JSON.stringify(lease)}\n`) };
}

/**
 * Where one backup is written at a target. A target that can rename (a
 * local folder) stages the whole folder and renames it into place on
 * `commit`. Others (S3) get the objects straight under `id/`, beside a
 * lease object (`id/lease.json`: this process, renewed every minute while
 * the backup is stored), the manifest last; until the manifest is there,
 * the lease tells a backup still being stored from one whose writer is
 * gone (`listBackups`' `incomplete`).
 *
 * @example
 * const folder = await openBackupWriter(target, id, clock);
 * try {
 *   await folder.put("data.sqlite", { file });
 *   await folder.put("manifest.json", { bytes });
 *   await folder.commit();
 * } finally {
 *   await folder.release();
 * }
 */
export async function openBackupWriter(target: BackupTarget, id: string, clock: Clock): Promise<StagedFolder> {
  if (target.stageFolder) return await target.stageFolder(id);
  const now = clock.now();
  const lease: Lease = { format: 1, operation: "backup", owner: currentProcess(), startedAt: now, renewedAt: now };
  await target.put(`${id}/${LEASE_FILE}`, leaseBody(lease));
  return leasedWriter(target, id, clock, lease);
}
