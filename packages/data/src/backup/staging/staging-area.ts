import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Clock, Timer } from "@nines/core";
import { LEASE_RENEW_MS, type Lease, writeLease } from "./lease.js";
import { currentProcess } from "./process-identity.js";

/** Staging folders start with this; listings hide them and a sweep finds them. */
export const STAGING_PREFIX = ".nines-staging-";

/**
 * A private folder for one operation's temporary files (a snapshot being
 * written, a download being checked), beside where they will end up so
 * that putting them in place is a rename. It holds a lease naming this
 * process, renewed while the operation runs, so the next operation on the
 * same folder can tell what a killed one left from what a live one is
 * still writing (see `sweepStaging`). `release()` removes it.
 *
 * @example
 * const area = await StagingArea.create("/backups", { operation: "backup", clock });
 * try { await snapshot(area.path("data.sqlite")); } finally { await area.release(); }
 */
export class StagingArea {
  readonly dir: string;
  readonly #clock: Clock;
  readonly #lease: Lease;
  #timer: Timer | undefined;
  #released = false;

  private constructor(dir: string, clock: Clock, lease: Lease) {
    this.dir = dir;
    this.#clock = clock;
    this.#lease = lease;
  }

  /** Creates the folder and its lease inside `parent` (which must exist); `operation` names it in the lease. */
  static async create(parent: string, options: { operation: string; clock: Clock }): Promise<StagingArea> {
    const { operation, clock } = options;
    const dir = join(parent, `${STAGING_PREFIX}${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { mode: 0o700 });
    const now = clock.now();
    const lease: Lease = { format: 1, operation, owner: currentProcess(), startedAt: now, renewedAt: now };
    const area = new StagingArea(dir, clock, lease);
    try {
      await writeLease(dir, lease);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    area.#schedule();
    return area;
  }

  /** A path for a file of this operation. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Stops renewing the lease and removes the folder with everything in it. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#timer?.cancel();
    await rm(this.dir, { recursive: true, force: true });
  }

  #schedule(): void {
    this.#timer = this.#clock.schedule(LEASE_RENEW_MS, () => {
      if (this.#released) return;
      this.#lease.renewedAt = this.#clock.now();
      // A failed renewal only makes the lease look older to other machines; the operation carries on.
      void writeLease(this.dir, this.#lease).catch(() => undefined);
      this.#schedule();
    });
  }
}
