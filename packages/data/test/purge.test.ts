import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID, type Progress } from "@nines/core";
import { LIFECYCLE_ERRORS } from "../src/lifecycle/errors.js";
import type { LifecycleStore } from "../src/lifecycle/lifecycle-store.js";
import { purge } from "../src/purge/purge.js";
import { ENGINES, engineSkip, freshStore } from "./support/lifecycle-engines.js";

const DAY = 86_400_000;
const alice = { id: "alice" };
const admin = { id: "ops", admin: true };

/** Five folders of alice's with two notes each, all deleted (five groups of three rows), plus live rows. */
async function deletedFolders(store: LifecycleStore, count = 5): Promise<unknown[]> {
  const keys: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const folder = await store.insert(alice, "folders", { name: `f${i}` });
    await store.insert(alice, "notes", { folder_id: folder["id"], title: `n${i}a` });
    await store.insert(alice, "notes", { folder_id: folder["id"], title: `n${i}b` });
    keys.push(folder["id"]);
  }
  for (let i = 0; i < 20; i++) await store.insert(alice, "notes", { title: `live${i}` });
  for (const key of keys) await store.delete(alice, "folders", key);
  return keys;
}

for (const engine of ENGINES) {
  describe(`purge worker on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("purges whole groups past their period in batches, keeps held groups, and is idempotent", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const keys = await deletedFolders(store);
        await store.hold(admin, "notes", 2, "CASE-1"); // a note of the first folder: its whole group stays
        const early = await purge(store, { actor: admin, guard: { minRows: 1 } });
        assert.equal(early.purgedRows, 0, "nothing is past its soft-delete period yet");
        await clock.advance(60 * DAY);
        const dry = await purge(store, { actor: admin, dryRun: true, guard: { minRows: 1000 } });
        assert.deepEqual([dry.eligibleRows, dry.heldRows, dry.totalRows, dry.purgedRows], [12, 3, 35, 0]);
        const progress: Progress[] = [];
        const run = await purge(store, {
          actor: admin,
          batchGroups: 3,
          guard: { minRows: 1000 },
          onProgress: (p) => progress.push(p),
        });
        assert.deepEqual([run.purgedRows, run.purgedGroups, run.batches, run.keptGroups], [12, 4, 2, 1]);
        assert.deepEqual(
          progress.map((p) => [p.phase, p.done, p.total, p.unit]),
          [
            ["purge", 9, 12, "rows"],
            ["purge", 12, 12, "rows"],
          ],
        );
        assert.equal(await store.phase(admin, "folders", keys[0]), "purged", "held: still there, still invisible");
        assert.equal(await store.phase(admin, "folders", keys[1]), undefined, "gone");
        const again = await purge(store, { actor: admin, guard: { minRows: 1000 } });
        assert.equal(again.purgedRows, 0);
        const audit = await store.audit(admin, { action: "purge" });
        assert.deepEqual(
          audit.map((r) => [r.actor, r.rows]),
          [
            ["ops", 3],
            ["ops", 9],
          ],
        );
        await store.release(admin, "notes", 2);
        assert.equal((await purge(store, { actor: admin, guard: { minRows: 1000 } })).purgedRows, 3);
        assert.equal(await store.count(admin, "notes"), 20, "live rows untouched");
      } finally {
        await cleanup();
      }
    });

    it("stops an unusual purge with a coded error and changes nothing unless confirmed", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        await deletedFolders(store);
        await clock.advance(60 * DAY);
        await assert.rejects(purge(store, { actor: admin, guard: { maxShare: 0.1, minRows: 10 } }), (error) => {
          assert.ok(isNinesError(error, LIFECYCLE_ERRORS.purgeUnusual));
          assert.equal(error.details["eligibleRows"], 15);
          return true;
        });
        await assert.rejects(purge(store, { actor: admin, guard: { maxRows: 5, minRows: 1000 } }), (error) =>
          isNinesError(error, LIFECYCLE_ERRORS.purgeUnusual),
        );
        assert.equal((await purge(store, { actor: admin, dryRun: true })).eligibleRows, 15, "nothing was purged");
        await assert.rejects(purge(store, { actor: alice, confirm: true }), (error) =>
          isNinesError(error, LIFECYCLE_ERRORS.forbidden),
        );
        const confirmed = await purge(store, { actor: admin, confirm: true, guard: { maxShare: 0.1, minRows: 10 } });
        assert.equal(confirmed.purgedRows, 15);
      } finally {
        await cleanup();
      }
    });

    it("takes its time from options.clock and refuses a misspelt option", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        await deletedFolders(store, 2);
        const later = new ManualClock(clock.now() + 60 * DAY);
        assert.equal(
          (await purge(store, { actor: admin, confirm: true })).purgedRows,
          0,
          "not due on the store's clock",
        );
        assert.equal((await purge(store, { actor: admin, confirm: true, clock: later })).purgedRows, 6);
        const typo = { actor: admin, batchGroup: 10 } as Parameters<typeof purge>[1];
        await assert.rejects(purge(store, typo), (error) => {
          assert.ok(isNinesError(error, OPTION_INVALID));
          assert.match(error.hint ?? "", /did you mean batchGroups/);
          return true;
        });
        await assert.rejects(purge(store, { actor: admin, guard: { maxShare: 2 } }), (error) =>
          isNinesError(error, OPTION_INVALID),
        );
      } finally {
        await cleanup();
      }
    });

    it("keeps to its rate limit on the injected clock", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        await deletedFolders(store, 4); // 12 rows in 4 groups
        await clock.advance(60 * DAY);
        const started = clock.now();
        let done = false;
        const running = purge(store, { actor: admin, batchGroups: 1, rowsPerSecond: 6, confirm: true }).finally(() => {
          done = true;
        });
        while (!done) {
          await clock.flush();
          if (clock.pending > 0) await clock.runAll();
        }
        const result = await running;
        assert.equal(result.purgedRows, 12);
        // 3 rows per batch at 6 rows/s: the worker waits until 0.5 s per batch has passed.
        assert.equal(clock.now() - started, 2000);
      } finally {
        await cleanup();
      }
    });
  });
}
