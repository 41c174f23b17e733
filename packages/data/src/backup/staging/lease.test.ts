import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { ManualClock } from "@nines/core";
import { LEASE_RENEW_MS, LEASE_STALE_MS, type Lease, leaseAbandoned, readLease } from "./lease.js";
import { currentProcess } from "./process-identity.js";
import { StagingArea } from "./staging-area.js";
import { listStaging, UNLEASED_STALE_MS } from "./sweep-staging.js";

const now = Date.UTC(2026, 10, 29);
const lease = (owner: Partial<Lease["owner"]>, renewedAt = now): Lease => ({
  format: 1,
  operation: "backup",
  owner: { ...currentProcess(), ...owner },
  startedAt: renewedAt,
  renewedAt,
});

it("tells a live writer from a dead one on this machine, and trusts renewals from another", () => {
  assert.equal(leaseAbandoned(lease({}), now), false, "this very process is alive");
  const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
  assert.equal(leaseAbandoned(lease({ pid: gone }), now), true, "a process that exited");
  if (currentProcess().processStart !== "") {
    assert.equal(leaseAbandoned(lease({ processStart: "1" }), now), true, "the pid now belongs to a later process");
  }
  if (currentProcess().bootId !== "") {
    assert.equal(leaseAbandoned(lease({ bootId: "an-earlier-boot" }), now), true, "written before a reboot");
  }
  const elsewhere = { host: "another-machine", pid: 1 };
  assert.equal(leaseAbandoned(lease(elsewhere, now - LEASE_STALE_MS + 1), now), false, "renewed recently");
  assert.equal(leaseAbandoned(lease(elsewhere, now - LEASE_STALE_MS - 1), now), true, "not renewed for too long");
});

it("renews its lease on the clock while it is held, and removes everything on release", async () => {
  const parent = await mkdtemp(join(tmpdir(), "nines-lease-"));
  try {
    const clock = new ManualClock(now);
    const area = await StagingArea.create(parent, { operation: "restore", clock });
    await writeFile(area.path("data.sqlite"), "x".repeat(100));
    assert.equal((await readLease(area.dir))?.renewedAt, now);
    await clock.advance(LEASE_RENEW_MS);
    // The renewal writes on a timer: wait for the file to change.
    for (let i = 0; i < 100 && (await readLease(area.dir))?.renewedAt === now; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal((await readLease(area.dir))?.renewedAt, now + LEASE_RENEW_MS);
    const [found] = await listStaging(parent, clock.now());
    assert.equal(found?.state, "live");
    assert.equal(found?.operation, "restore");
    assert.ok((found?.bytes ?? 0) >= 100);
    await area.release();
    assert.deepEqual(await readdir(parent), []);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

it("treats an unleased staging name as abandoned only once it is old", async () => {
  const parent = await mkdtemp(join(tmpdir(), "nines-lease-"));
  try {
    const file = join(parent, ".nines-tmp-abc-data.sqlite");
    await writeFile(file, "partial");
    const fresh = Date.now();
    assert.equal((await listStaging(parent, fresh))[0]?.state, "live");
    const old = (fresh - UNLEASED_STALE_MS - 60_000) / 1000;
    await utimes(file, old, old);
    assert.equal((await listStaging(parent, fresh))[0]?.state, "abandoned");
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
