import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NinesError } from "@nines/core";
import { LIFECYCLE_ERRORS } from "../src/lifecycle/errors.js";
import type { LifecycleStore } from "../src/lifecycle/lifecycle-store.js";
import { admin, alice, bob, DAY, ENGINES, engineSkip, freshStore, rejects, seed } from "./support/lifecycle-engines.js";

const NEVER = 987_654;

/** What a caller can read from an error, with the key written as KEY so that two keys compare equal. */
function shape(error: NinesError, key: unknown) {
  const message = error.message.replace(String(key), "KEY");
  return { name: error.name, code: error.code, message, hint: error.hint, table: error.details["table"] };
}

/** The answers `actor` gets for a row: get, restore, delete, delete forever. */
async function answers(store: LifecycleStore, actor: { id: string }, key: unknown) {
  return {
    get: await store.get(actor, "notes", key),
    restore: shape(await rejects(store.restore(actor, "notes", key), LIFECYCLE_ERRORS.notFound), key),
    delete: shape(await rejects(store.delete(actor, "notes", key), LIFECYCLE_ERRORS.notFound), key),
    forever: shape(await rejects(store.deleteForever(actor, "notes", key), LIFECYCLE_ERRORS.notFound), key),
  };
}

for (const engine of ENGINES) {
  describe(`rows out of a user's reach, on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("answers the owner of a soft-deleted or purged-phase row exactly as for a row that never existed", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        const never = await answers(store, alice, NEVER);
        assert.equal(never.restore.name, "LifecycleError");
        const { softAt, purgeAt } = await store.delete(alice, "notes", s.a["id"]);
        // Someone else's row in the trash: the same answer.
        assert.deepEqual(await answers(store, bob, s.a["id"]), never);
        await clock.advanceTo(softAt);
        assert.deepEqual(await answers(store, alice, s.a["id"]), never, "soft-deleted");
        await clock.advanceTo(purgeAt);
        assert.deepEqual(await answers(store, alice, s.a["id"]), never, "purged phase, not yet purged");
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "purged", "the row is still stored");
      } finally {
        await cleanup();
      }
    });

    it("gives administrators soft-deleted rows and held rows in any phase, with phase, dates and content", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        const start = clock.now();
        await store.delete(alice, "notes", s.a["id"]);
        await store.delete(alice, "folders", s.home["id"]); // home and c
        await store.hold(admin, "notes", s.c["id"], "CASE-1");
        await store.hold(admin, "notes", s.b["id"], "CASE-2"); // a live row
        await clock.advance(31 * DAY);
        const soft = await store.deleted(admin, { phase: "soft" });
        assert.deepEqual(
          soft.map((r) => [r.table, r.key, r.phase, r.hold]).sort(),
          [
            ["folders", s.home["id"], "soft", "CASE-1"],
            ["notes", s.a["id"], "soft", null],
            ["notes", s.c["id"], "soft", "CASE-1"],
          ].sort(),
        );
        const a = soft.find((r) => r.key === s.a["id"]);
        assert.deepEqual(
          [a?.owner, a?.deletedBy, a?.deletedAt, a?.softAt, a?.purgeAt, a?.row["title"]],
          ["alice", "alice", start, start + 30 * DAY, start + 60 * DAY, "a"],
        );
        assert.deepEqual(await store.deleted(admin, { phase: "trash" }), []);
        assert.equal((await store.deleted(admin, { owner: "bob" })).length, 0);

        await clock.advance(30 * DAY); // past purgeAt: a goes; the home group stays under CASE-1
        assert.deepEqual(await store.deleted(admin), [], "nothing left in the trash or soft-deleted");
        const held = await store.held(admin);
        assert.deepEqual(
          held.map((r) => [r.table, r.key, r.phase, r.hold]).sort(),
          [
            ["folders", s.home["id"], "purged", "CASE-1"],
            ["notes", s.b["id"], "live", "CASE-2"],
            ["notes", s.c["id"], "purged", "CASE-1"],
          ].sort(),
        );
        const c = await store.inspect(admin, "notes", s.c["id"]);
        assert.deepEqual([c?.phase, c?.hold, c?.row["title"], c?.row["words"]], ["purged", "CASE-1", "c", 40]);
        assert.equal((await store.inspect(admin, "folders", s.home["id"]))?.row["name"], "home");
        assert.equal(await store.inspect(admin, "notes", s.a["id"]), undefined, "purged phase, no hold: gone");
        assert.equal((await store.inspect(admin, "notes", s.b["id"]))?.phase, "live");
        await rejects(store.held(alice), LIFECYCLE_ERRORS.forbidden);
        await rejects(store.inspect(alice, "notes", s.b["id"]), LIFECYCLE_ERRORS.forbidden);
      } finally {
        await cleanup();
      }
    });

    it("lets an administrator restore a soft-deleted row found in the listing", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "folders", s.work["id"]);
        await clock.advance(45 * DAY);
        const [root] = (await store.deleted(admin, { phase: "soft", owner: "alice" })).filter(
          (r) => r.table === "folders",
        );
        assert.ok(root, "the folder is listed");
        await rejects(store.restore(alice, root.table, root.key), LIFECYCLE_ERRORS.notFound);
        assert.equal((await store.restore(admin, root.table, root.key)).rows, 4);
        assert.equal(await store.count(alice, "notes"), 3);
      } finally {
        await cleanup();
      }
    });
  });
}
