import { lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { leaseAbandoned, readLease } from "./lease.js";
import type { ProcessIdentity } from "./process-identity.js";
import { STAGING_PREFIX } from "./staging-area.js";

/** Temporary names written by earlier versions (no lease): a backup's staging file, a restore's download folder. */
const UNLEASED_PREFIXES = [".nines-tmp-", ".nines-restore-"];

/** Something without a lease counts as abandoned once untouched for this long. */
export const UNLEASED_STALE_MS = 60 * 60_000;

/**
 * A staging folder (or an older unleased staging file) found beside
 * backups or a restore destination.
 *
 * @example
 * { name: ".nines-staging-3fa2c1d4e5f6", operation: "backup", bytes: 612368384, state: "abandoned", owner: { pid: 4242, ... } }
 */
export interface StagingInfo {
  name: string;
  path: string;
  /** The operation that made it (`backup`, `restore`, `verify`...), when its lease says. */
  operation?: string;
  /** Bytes of the files inside. */
  bytes: number;
  /** `live`: its writer still runs (never removed); `abandoned`: its writer is gone. */
  state: "live" | "abandoned";
  owner?: ProcessIdentity;
  /** When its operation started (epoch ms), from the lease or the file's time. */
  startedAt: number;
}

async function sizeOf(path: string): Promise<{ bytes: number; newestMs: number }> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return { bytes: 0, newestMs: 0 };
  if (!stat.isDirectory()) return { bytes: stat.size, newestMs: stat.mtimeMs };
  let bytes = 0;
  let newestMs = stat.mtimeMs;
  for (const name of await readdir(path).catch(() => [])) {
    const inner = await sizeOf(join(path, name));
    bytes += inner.bytes;
    newestMs = Math.max(newestMs, inner.newestMs);
  }
  return { bytes, newestMs };
}

/**
 * The staging folders in `parent` and whether their writers still run. A
 * missing `parent` has none.
 *
 * @example
 * const staged = await listStaging("/backups", clock.now());
 * const abandoned = staged.filter((s) => s.state === "abandoned");
 */
export async function listStaging(parent: string, now: number): Promise<StagingInfo[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const found: StagingInfo[] = [];
  for (const name of names.sort()) {
    const path = join(parent, name);
    if (name.startsWith(STAGING_PREFIX)) {
      const lease = await readLease(path);
      const { bytes, newestMs } = await sizeOf(path);
      if (lease) {
        const state = leaseAbandoned(lease, now) ? "abandoned" : "live";
        found.push({
          name,
          path,
          operation: lease.operation,
          bytes,
          state,
          owner: lease.owner,
          startedAt: lease.startedAt,
        });
      } else {
        // Created a moment ago and its lease not yet written, or killed in that moment: the age tells.
        const state = now - newestMs > UNLEASED_STALE_MS ? "abandoned" : "live";
        found.push({ name, path, bytes, state, startedAt: newestMs });
      }
    } else if (UNLEASED_PREFIXES.some((p) => name.startsWith(p))) {
      const { bytes, newestMs } = await sizeOf(path);
      found.push({
        name,
        path,
        bytes,
        state: now - newestMs > UNLEASED_STALE_MS ? "abandoned" : "live",
        startedAt: newestMs,
      });
    }
  }
  return found;
}

/**
 * Removes what killed operations left in `parent` (staging folders whose
 * writer is gone) and never what a live one is writing. Returns what it
 * removed.
 *
 * @example
 * const removed = await sweepStaging("/backups", clock.now());
 * console.log(`freed ${removed.reduce((n, s) => n + s.bytes, 0)} bytes`);
 */
export async function sweepStaging(parent: string, now: number): Promise<StagingInfo[]> {
  const abandoned = (await listStaging(parent, now)).filter((s) => s.state === "abandoned");
  for (const item of abandoned) await rm(item.path, { recursive: true, force: true });
  return abandoned;
}
