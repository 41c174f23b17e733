import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { purge } from "../src/purge/purge.js";
import {
  APP_DECLARATION,
  admin,
  alice,
  DAY,
  ENGINES,
  engineSkip,
  freshStore,
  seed,
} from "./support/lifecycle-engines.js";

for (const engine of ENGINES) {
  describe(`the audit trail per row, on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("answers what happened to a row: every event with its time and actor, purge and holds included", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        const t0 = clock.now();
        await store.delete(alice, "folders", s.work["id"]); // work, a, b, b's tag
        await clock.advance(1000);
        await store.restore(alice, "folders", s.work["id"]);
        await clock.advance(1000);
        await store.delete(alice, "notes", s.b["id"]); // b and its tag
        await store.hold(admin, "notes", s.b["id"], "CASE-9");
        await store.emptyTrash(alice);
        await clock.advance(31 * DAY);
        const kept = await purge(store, { actor: admin, guard: { minRows: 1000 } });
        assert.deepEqual([kept.purgedRows, kept.keptGroups], [0, 1]);
        await clock.advance(DAY);
        await purge(store, { actor: { id: "nightly", admin: true }, guard: { minRows: 1000 } });
        await store.release(admin, "notes", s.b["id"]);
        const purged = await purge(store, { actor: admin, guard: { minRows: 1000 } });
        assert.deepEqual([purged.purgedRows, purged.keptGroups], [2, 0]);

        const history = await store.history(admin, "notes", s.b["id"]);
        assert.deepEqual(
          history.map((r) => [r.action, r.actor, r.at - t0]),
          [
            ["delete", "alice", 0],
            ["restore", "alice", 1000],
            ["delete", "alice", 2000],
            ["hold", "ops", 2000],
            ["empty-trash", "alice", 2000],
            ["purge-kept", "ops", 2000 + 31 * DAY],
            ["purge-kept", "nightly", 2000 + 32 * DAY],
            ["release", "ops", 2000 + 32 * DAY],
            ["purge", "ops", 2000 + 32 * DAY],
          ],
        );
        assert.deepEqual(history[5]?.detail, {
          reason: "legal hold",
          holds: [{ table: "notes", key: s.b["id"], reason: "CASE-9" }],
        });
        // The tag went with its note each time, and holds name only the held row.
        assert.deepEqual(
          (await store.history(admin, "tags", s.tag["id"])).map((r) => r.action),
          ["delete", "restore", "delete", "empty-trash", "purge-kept", "purge-kept", "purge"],
        );
        const purgeRecord = history[8];
        assert.equal(purgeRecord?.rows, 2);
        assert.deepEqual(purgeRecord && (await store.auditRows(admin, purgeRecord.id)), [
          { table: "notes", key: String(s.b["id"]) },
          { table: "tags", key: String(s.tag["id"]) },
        ]);
        assert.deepEqual(
          (await store.history(admin, "notes", s.a["id"])).map((r) => r.action),
          ["delete", "restore"],
          "a came back with its folder and was never deleted again",
        );
        assert.deepEqual(await store.history(admin, "notes", s.c["id"]), []);
      } finally {
        await cleanup();
      }
    });

    it("keeps the audit trail bounded: the purge removes records older than auditDays", async () => {
      const declaration = { ...APP_DECLARATION, trashDays: 1, softDays: 1, auditDays: 5 };
      const { store, clock, cleanup } = await freshStore(engine, undefined, declaration);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await clock.advance(3 * DAY);
        const first = await purge(store, { actor: admin, guard: { minRows: 1000 } });
        assert.deepEqual([first.purgedRows, first.expiredAuditRecords], [1, 0]);
        assert.deepEqual(
          (await store.history(admin, "notes", s.a["id"])).map((r) => r.action),
          ["delete", "purge"],
        );
        await clock.advance(2 * DAY); // the delete record is 5 days old: kept for exactly auditDays
        assert.equal((await purge(store, { actor: admin, dryRun: true })).expiredAuditRecords, 0);
        await clock.advance(1);
        const dry = await purge(store, { actor: admin, dryRun: true });
        assert.equal(dry.expiredAuditRecords, 1, "a dry run counts");
        assert.equal((await store.history(admin, "notes", s.a["id"])).length, 2, "and removes nothing");
        const second = await purge(store, { actor: admin, guard: { minRows: 1000 } });
        assert.equal(second.expiredAuditRecords, 1);
        assert.deepEqual(
          (await store.history(admin, "notes", s.a["id"])).map((r) => r.action),
          ["purge"],
        );
        await clock.advance(3 * DAY);
        await purge(store, { actor: admin, guard: { minRows: 1000 } });
        assert.deepEqual(await store.history(admin, "notes", s.a["id"]), []);
        assert.deepEqual(
          (await store.audit(admin)).map((r) => r.action),
          [],
          "the first run's record is gone too; runs that purge nothing write none",
        );
      } finally {
        await cleanup();
      }
    });
  });
}
