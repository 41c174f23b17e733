import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LIFECYCLE_ERRORS } from "../src/lifecycle/errors.js";
import { admin, alice, bob, DAY, ENGINES, engineSkip, freshStore, rejects, seed } from "./support/lifecycle-engines.js";

for (const engine of ENGINES) {
  describe(`the trash as users see it, on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("lists the groups the user deleted, root row first, children counted, in the order asked", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.insert(alice, "folders", { name: "sub", parent_id: s.work["id"] });
        await store.delete(alice, "notes", s.a["id"]);
        const first = clock.now();
        await clock.advance(1000);
        await store.delete(alice, "folders", s.work["id"]); // work, sub, b and b's tag
        await clock.advance(1000);
        await store.delete(alice, "folders", s.home["id"]); // home and c
        await store.delete(bob, "notes", s.bobNote["id"]);
        const newest = await store.trash(alice);
        assert.deepEqual(
          newest.map((g) => [g.table, g.key, g.children, g.childTables]),
          [
            ["folders", s.home["id"], 1, { notes: 1 }],
            ["folders", s.work["id"], 3, { folders: 1, notes: 1, tags: 1 }],
            ["notes", s.a["id"], 0, {}],
          ],
        );
        const [home] = newest;
        assert.equal(home?.row["name"], "home");
        assert.equal(home?.row["nines_deleted_at"], undefined, "the store's columns are left out");
        assert.equal(home?.deletedBy, "alice");
        assert.equal(home?.deletedAt, first + 2000);
        assert.equal(home?.softAt, first + 2000 + 30 * DAY);
        assert.equal(home?.purgeAt, first + 2000 + 60 * DAY);
        assert.deepEqual(
          (await store.trash(alice, { order: "oldest" })).map((g) => g.key),
          [s.a["id"], s.work["id"], s.home["id"]],
        );
        assert.deepEqual(
          (await store.trash(alice, { order: "oldest", limit: 2 })).map((g) => g.key),
          [s.a["id"], s.work["id"]],
        );
        assert.deepEqual(
          (await store.trash(bob)).map((g) => [g.table, g.key]),
          [["notes", s.bobNote["id"]]],
        );
      } finally {
        await cleanup();
      }
    });

    it("deletes one item forever: its whole group leaves the owner's reach at once, audited with its rows", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await store.delete(alice, "folders", s.work["id"]); // work, b, tag
        await clock.advance(DAY);
        // Any row of the group names it: here the note inside the deleted folder.
        const forgotten = await store.deleteForever(alice, "notes", s.b["id"]);
        assert.deepEqual(forgotten, { groups: 1, rows: 3, purgeAt: clock.now() + 30 * DAY });
        assert.deepEqual(
          (await store.trash(alice)).map((g) => g.key),
          [s.a["id"]],
          "the other item stays in the trash",
        );
        assert.equal(await store.phase(admin, "folders", s.work["id"]), "soft");
        await rejects(store.restore(alice, "folders", s.work["id"]), LIFECYCLE_ERRORS.notFound);
        await rejects(store.deleteForever(alice, "folders", s.work["id"]), LIFECYCLE_ERRORS.notFound);
        await rejects(store.deleteForever(admin, "folders", s.work["id"]), LIFECYCLE_ERRORS.notInTrash);
        await rejects(store.deleteForever(alice, "notes", s.c["id"]), LIFECYCLE_ERRORS.notDeleted);
        await rejects(store.deleteForever(bob, "notes", s.a["id"]), LIFECYCLE_ERRORS.notFound);
        const [record] = await store.audit(admin, { action: "delete-forever" });
        assert.equal(record?.actor, "alice");
        assert.equal(record?.rows, 3);
        assert.deepEqual(record && (await store.auditRows(admin, record.id)), [
          { table: "folders", key: String(s.work["id"]) },
          { table: "notes", key: String(s.b["id"]) },
          { table: "tags", key: String(s.tag["id"]) },
        ]);
        // Administrators can still bring it back until the purge.
        assert.equal((await store.restore(admin, "folders", s.work["id"])).rows, 3);
        assert.equal(await store.count(alice, "tags"), 1);
      } finally {
        await cleanup();
      }
    });

    it("empties the trash by group and names every row in the audit record", async () => {
      const { store, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await store.delete(alice, "folders", s.home["id"]);
        await store.delete(bob, "notes", s.bobNote["id"]);
        const emptied = await store.emptyTrash(alice);
        assert.equal(emptied.groups, 2);
        assert.equal(emptied.rows, 3);
        assert.deepEqual(await store.trash(alice), []);
        assert.equal((await store.trash(bob)).length, 1, "bob's trash is his own");
        const [record] = await store.audit(admin, { action: "empty-trash" });
        assert.deepEqual(
          record && (await store.auditRows(admin, record.id)),
          [
            { table: "folders", key: String(s.home["id"]) },
            { table: "notes", key: String(s.a["id"]) },
            { table: "notes", key: String(s.c["id"]) },
          ].sort((x, y) => (x.table + x.key < y.table + y.key ? -1 : 1)),
        );
      } finally {
        await cleanup();
      }
    });

    it("keeps the extension when a restore renames: report.pdf becomes report (restored).pdf", async () => {
      const { store, cleanup } = await freshStore(engine);
      try {
        const first = await store.insert(alice, "notes", { title: "report.pdf" });
        await store.delete(alice, "notes", first["id"]);
        await store.insert(alice, "notes", { title: "report.pdf" });
        const renamed = await store.restore(alice, "notes", first["id"], { onConflict: "rename" });
        assert.deepEqual(
          renamed.renamed.map((r) => [r.from, r.to]),
          [["report.pdf", "report (restored).pdf"]],
        );
        const second = await store.insert(alice, "notes", { title: ".env" });
        await store.delete(alice, "notes", second["id"]);
        await store.insert(alice, "notes", { title: ".env" });
        await store.insert(alice, "notes", { title: ".env (restored)" });
        const dotfile = await store.restore(alice, "notes", second["id"], { onConflict: "rename" });
        assert.equal(dotfile.renamed[0]?.to, ".env (restored 2)");
        assert.equal((await store.get(alice, "notes", first["id"]))?.["title"], "report (restored).pdf");
      } finally {
        await cleanup();
      }
    });
  });
}
