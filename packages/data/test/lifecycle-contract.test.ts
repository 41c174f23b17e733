import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { LIFECYCLE_ERRORS } from "../src/lifecycle/errors.js";
import { META } from "../src/lifecycle/phase.js";
import { visible } from "../src/lifecycle/visible.js";
import { admin, alice, bob, DAY, ENGINES, engineSkip, freshStore, rejects, seed } from "./support/lifecycle-engines.js";

for (const engine of ENGINES) {
  describe(`lifecycle contract on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("hides deleted rows from get, list, count, search, aggregates, children and visible() queries", async () => {
      const { store, connection, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await store.delete(alice, "folders", s.home["id"]); // takes note c with it
        assert.equal(await store.get(alice, "notes", s.a["id"]), undefined);
        assert.equal(await store.get(admin, "notes", s.c["id"]), undefined, "children of a deleted parent are hidden");
        assert.deepEqual(
          (await store.list(alice, "notes", { orderBy: "title" })).map((r) => r["title"]),
          ["b"],
        );
        assert.equal(await store.count(alice, "notes"), 1);
        assert.equal(await store.count(alice, "notes", { where: { folder_id: s.home["id"] } }), 0);
        assert.equal((await store.list(alice, "notes", { search: { column: "title", contains: "a" } })).length, 0);
        assert.equal(await store.aggregate(alice, "notes", "sum", "words"), 20);
        assert.equal(await store.aggregate(alice, "notes", "max", "words"), 20);
        assert.equal(await store.aggregate(admin, "notes", "count", undefined), 2, "admin sees all owners' live rows");
        assert.equal(await store.count(alice, "folders"), 1);
        // The application's own Kysely queries with visible(): list, join, aggregate.
        const db = connection.kysely;
        const live = await db.selectFrom("notes").select("title").where(visible()).orderBy("title").execute();
        assert.deepEqual(
          live.map((r) => r.title),
          ["a", "b"],
        ); // bob's "a" and alice's "b"
        const joined = await db
          .selectFrom("folders as f")
          .innerJoin("notes as n", "n.folder_id", "f.id")
          .where(visible("f"))
          .where(visible("n"))
          .where("f.owner_id", "=", "alice")
          .select((eb) => [eb.fn.countAll().as("n"), eb.fn.sum("n.words").as("words")])
          .executeTakeFirstOrThrow();
        assert.equal(Number(joined.n), 1);
        assert.equal(Number(joined.words), 20);
        const homeNotes = await db
          .selectFrom("notes")
          .selectAll()
          .where(visible())
          .where("folder_id", "=", s.home["id"] as number)
          .execute();
        assert.equal(homeNotes.length, 0);
      } finally {
        await cleanup();
      }
    });

    it("computes phases from timestamps on half-open intervals, whether or not the purge worker ran", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        const { softAt, purgeAt } = await store.delete(alice, "notes", s.a["id"]);
        assert.equal(softAt - clock.now(), 30 * DAY);
        assert.equal(purgeAt - softAt, 30 * DAY);
        await clock.advanceTo(softAt - 1);
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "trash");
        assert.equal((await store.trash(alice)).length, 1);
        await clock.advanceTo(softAt);
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "soft");
        assert.equal((await store.trash(alice)).length, 0, "out of the owner's trash at softAt exactly");
        await rejects(store.restore(alice, "notes", s.a["id"]), LIFECYCLE_ERRORS.notFound);
        assert.deepEqual(
          (await store.deleted(admin, { phase: "soft" })).map((r) => r.key),
          [s.a["id"]],
        );
        await clock.advanceTo(purgeAt);
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "purged");
        assert.equal((await store.deleted(admin)).length, 0, "purged-phase rows are gone for everyone");
        await rejects(store.restore(admin, "notes", s.a["id"]), LIFECYCLE_ERRORS.restoreExpired);
      } finally {
        await cleanup();
      }
    });

    it("lets the owner restore from the trash and an administrator restore soft-deleted rows", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await clock.advance(DAY);
        const restored = await store.restore(alice, "notes", s.a["id"]);
        assert.equal(restored.rows, 1);
        assert.equal((await store.get(alice, "notes", s.a["id"]))?.["title"], "a");
        await store.delete(alice, "notes", s.a["id"]);
        const emptied = await store.emptyTrash(alice);
        assert.deepEqual(emptied, { groups: 1, rows: 1, purgeAt: clock.now() + 30 * DAY });
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "soft");
        await rejects(store.restore(alice, "notes", s.a["id"]), LIFECYCLE_ERRORS.notFound);
        await clock.advance(29 * DAY);
        await store.restore(admin, "notes", s.a["id"]);
        assert.equal(await store.count(alice, "notes"), 3);
      } finally {
        await cleanup();
      }
    });

    it("deletes a parent with its children as one group and restores exactly that group", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        const sub = await store.insert(alice, "folders", { name: "sub", parent_id: s.work["id"] });
        const deep = await store.insert(alice, "notes", { folder_id: sub["id"], title: "deep" });
        await store.delete(alice, "notes", s.a["id"]); // deleted on its own first
        await clock.advance(1000);
        const group = await store.delete(alice, "folders", s.work["id"]);
        assert.equal(group.rows, 5, "work, sub, b, b's tag, deep");
        assert.equal(await store.count(alice, "tags"), 0);
        // The note deleted earlier cannot come back while its folder is deleted.
        const orphan = await rejects(store.restore(alice, "notes", s.a["id"]), LIFECYCLE_ERRORS.parentDeleted);
        assert.match(orphan.message, /^cannot restore: notes \S+ belongs to a deleted folders$/);
        const restored = await store.restore(alice, "folders", s.work["id"]);
        assert.equal(restored.rows, 5);
        assert.ok(await store.get(alice, "notes", deep["id"]));
        assert.equal(await store.count(alice, "tags"), 1);
        assert.equal(await store.get(alice, "notes", s.a["id"]), undefined, "a was deleted separately and stays");
        assert.equal((await store.trash(alice)).length, 1);
        await store.restore(alice, "notes", s.a["id"]);
        assert.equal(await store.count(alice, "notes"), 4);
      } finally {
        await cleanup();
      }
    });

    it("lets a deleted row's unique name be reused; restoring it then conflicts or renames", async () => {
      const { store, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await rejects(store.insert(alice, "notes", { title: "a" }), LIFECYCLE_ERRORS.uniqueTaken);
        await store.delete(alice, "notes", s.a["id"]);
        const again = await store.insert(alice, "notes", { title: "a", words: 99 });
        const auditBefore = (await store.audit(admin)).length;
        await assert.rejects(store.restore(alice, "notes", s.a["id"]), (error) => {
          assert.ok(isNinesError(error, LIFECYCLE_ERRORS.restoreConflict));
          assert.match(error.message, /^cannot restore: 1 notes row holds \(/);
          assert.deepEqual(
            (error.details["conflicts"] as { key: unknown }[]).map((c) => c.key),
            [s.a["id"]],
          );
          return true;
        });
        assert.equal(await store.get(alice, "notes", s.a["id"]), undefined, "a refused restore changes nothing");
        assert.equal((await store.audit(admin)).length, auditBefore, "and writes no audit record");
        const restored = await store.restore(alice, "notes", s.a["id"], { onConflict: "rename" });
        assert.deepEqual(restored.renamed, [
          { table: "notes", key: s.a["id"], column: "title", from: "a", to: "a (restored)" },
        ]);
        assert.equal((await store.get(alice, "notes", again["id"]))?.["title"], "a");
        assert.equal((await store.get(alice, "notes", s.a["id"]))?.["title"], "a (restored)");
      } finally {
        await cleanup();
      }
    });

    it("refuses what the actor may not do, with a code, and changes nothing", async () => {
      const { store, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        assert.equal(await store.get(bob, "notes", s.a["id"]), undefined, "bob does not see alice's rows");
        assert.equal(await store.count(bob, "notes"), 1);
        await rejects(store.delete(bob, "notes", s.a["id"]), LIFECYCLE_ERRORS.notFound);
        await rejects(store.update(bob, "notes", s.a["id"], { words: 0 }), LIFECYCLE_ERRORS.notFound);
        await rejects(store.insert(bob, "notes", { owner_id: "alice", title: "x" }), LIFECYCLE_ERRORS.forbidden);
        await rejects(
          store.insert(bob, "notes", { folder_id: s.work["id"], title: "x" }),
          LIFECYCLE_ERRORS.parentDeleted,
        );
        await store.delete(alice, "notes", s.a["id"]);
        await rejects(store.restore(bob, "notes", s.a["id"]), LIFECYCLE_ERRORS.notFound);
        await rejects(store.hold(alice, "notes", s.a["id"], "case"), LIFECYCLE_ERRORS.forbidden);
        await rejects(store.deleted(alice), LIFECYCLE_ERRORS.forbidden);
        await rejects(store.delete(alice, "notes", 999_999), LIFECYCLE_ERRORS.notFound);
        await rejects(store.restore(alice, "notes", s.b["id"]), LIFECYCLE_ERRORS.notDeleted);
        await rejects(store.get(alice, "nope", 1), LIFECYCLE_ERRORS.unknownTable);
        await rejects(
          store.insert(alice, "notes", { folder_id: 424242, title: "orphan" }),
          LIFECYCLE_ERRORS.parentDeleted,
        );
        await rejects(store.release(admin, "notes", s.b["id"]), LIFECYCLE_ERRORS.notHeld);
        assert.equal(await store.count(alice, "notes"), 2);
        assert.deepEqual(
          (await store.trash(alice)).map((r) => r.key),
          [s.a["id"]],
        );
        assert.equal((await store.audit(admin)).length, 1, "only alice's delete was audited");
      } finally {
        await cleanup();
      }
    });

    it("writes one audit record with the actor for every delete, restore, empty-trash, hold and release", async () => {
      const { store, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "folders", s.work["id"]);
        await store.restore(alice, "folders", s.work["id"]);
        await store.delete(alice, "notes", s.c["id"]);
        await store.emptyTrash(alice);
        await store.hold(admin, "notes", s.c["id"], "CASE-7");
        await store.release(admin, "notes", s.c["id"]);
        const records = (await store.audit(admin)).reverse();
        assert.deepEqual(
          records.map((r) => [r.action, r.actor, r.rows]),
          [
            ["delete", "alice", 4],
            ["restore", "alice", 4],
            ["delete", "alice", 1],
            ["empty-trash", "alice", 1],
            ["hold", "ops", 1],
            ["release", "ops", 1],
          ],
        );
        assert.equal(records[0]?.table, "folders");
        assert.equal(records[0]?.key, String(s.work["id"]));
        assert.deepEqual(records[4]?.detail, { reason: "CASE-7" });
      } finally {
        await cleanup();
      }
    });

    it("searches for % and _ as plain characters and still hides deleted matches", async () => {
      const { store, cleanup } = await freshStore(engine);
      try {
        await store.insert(alice, "notes", { title: "100% done" });
        await store.insert(alice, "notes", { title: "1000 done" });
        const gone = await store.insert(alice, "notes", { title: "50% gone" });
        await store.insert(alice, "notes", { title: "snake_case" });
        await store.insert(alice, "notes", { title: "snakeXcase" });
        await store.delete(alice, "notes", gone["id"]);
        const titles = async (contains: string) =>
          (await store.list(alice, "notes", { search: { column: "title", contains }, orderBy: "title" })).map(
            (r) => r["title"],
          );
        assert.deepEqual(await titles("%"), ["100% done"]);
        assert.deepEqual(await titles("e_c"), ["snake_case"]);
        assert.equal(await store.count(alice, "notes", { search: { column: "title", contains: "done" } }), 2);
      } finally {
        await cleanup();
      }
    });

    it("generates the expected SQL for the key queries on this dialect", async () => {
      const { connection, cleanup } = await freshStore(engine);
      try {
        const q = (s: string) => (engine === "postgres" ? s.replace(/\?/g, () => `$${++n}`) : s);
        let n = 0;
        const read = connection.kysely.selectFrom("notes").selectAll().where(visible()).where("owner_id", "=", "alice");
        assert.equal(
          read.compile().sql,
          q(`select * from "notes" where "${META.deletedAt}" is null and "owner_id" = ?`),
        );
        // The unique key is a partial index over live rows on both engines.
        const indexes =
          engine === "postgres"
            ? await connection.executor.all<{ def: string }>({
                sql: "select indexdef as def from pg_indexes where schemaname = current_schema() and indexname = 'nines_u_notes_owner_id_title'",
                parameters: [],
              })
            : await connection.executor.all<{ def: string }>({
                sql: "select sql as def from sqlite_master where name = 'nines_u_notes_owner_id_title'",
                parameters: [],
              });
        const def = indexes[0]?.def ?? "";
        assert.match(def, /UNIQUE INDEX/i);
        assert.match(def, /WHERE \(?"?nines_deleted_at"? IS NULL\)?/i);
      } finally {
        await cleanup();
      }
    });
  });
}
