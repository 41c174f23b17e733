import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ProcessIdentity, processState } from "./process-identity.js";

/** The file in a staging folder that names the process writing there. */
export const LEASE_FILE = "lease.json";

/** Renewed this often while its holder runs, so other machines can tell a live writer from a dead one. */
export const LEASE_RENEW_MS = 60_000;

/** A lease held by a process on another machine counts as abandoned when not renewed for this long. */
export const LEASE_STALE_MS = 10 * 60_000;

/**
 * Who writes in a staging folder, and since when: `nines-backup`,
 * `nines-restore`, ... by `owner`, renewed every {@link LEASE_RENEW_MS}.
 *
 * @example
 * { "format": 1, "operation": "backup", "owner": { "host": "db-1", "pid": 4242, ... }, "startedAt": 1764400000000, "renewedAt": 1764400060000 }
 */
export interface Lease {
  format: 1;
  operation: string;
  owner: ProcessIdentity;
  /** Epoch ms on the holder's clock. */
  startedAt: number;
  renewedAt: number;
}

/** Writes the lease atomically (temp file and rename), so a reader never sees half of it. */
export async function writeLease(dir: string, lease: Lease): Promise<void> {
  const temp = join(dir, `.${LEASE_FILE}.${randomBytes(4).toString("hex")}`);
  await writeFile(temp, `${JSON.stringify(lease)}\n`, { mode: 0o600 });
  await rename(temp, join(dir, LEASE_FILE));
}

/** The lease in `dir`, or undefined when there is none or it cannot be read. */
export async function readLease(dir: string): Promise<Lease | undefined> {
  return parseLease(await readFile(join(dir, LEASE_FILE), "utf8").catch(() => undefined));
}

/**
 * A lease from its JSON text (or bytes), or undefined when it is not one.
 *
 * @example
 * const lease = parseLease(await target.read(`${id}/lease.json`));
 */
export function parseLease(text: string | Uint8Array | undefined): Lease | undefined {
  if (text === undefined) return undefined;
  try {
    const lease = JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text)) as Partial<Lease>;
    const owner = lease.owner as Partial<ProcessIdentity> | undefined;
    const ok =
      lease.format === 1 &&
      typeof lease.operation === "string" &&
      typeof lease.startedAt === "number" &&
      typeof lease.renewedAt === "number" &&
      typeof owner?.host === "string" &&
      typeof owner.bootId === "string" &&
      typeof owner.pid === "number" &&
      typeof owner.processStart === "string";
    return ok ? (lease as Lease) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the writer holding `lease` is gone: on this machine, its process
 * is checked directly; on another one, the lease must have been renewed
 * within {@link LEASE_STALE_MS} of `now`.
 *
 * @example
 * if (leaseAbandoned(lease, clock.now())) await rm(dir, { recursive: true });
 */
export function leaseAbandoned(lease: Lease, now: number): boolean {
  const state = processState(lease.owner);
  if (state === "other-host") return now - lease.renewedAt > LEASE_STALE_MS;
  return state === "dead";
}
