import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Actor } from "../src/lifecycle/actor.js";
import { LIFECYCLE_ERRORS } from "../src/lifecycle/errors.js";
import type { LifecycleStore } from "../src/lifecycle/lifecycle-store.js";
import { purge } from "../src/purge/purge.js";
import { admin, alice, DAY, ENGINES, engineSkip, freshStore, rejects, seed } from "./support/lifecycle-engines.js";

type Seeded = Awaited<ReturnType<typeof seed>>;

/**
 * Every entry point that takes an actor, called as `actor` on rows of alice's:
 * `a` is soft-deleted, `c` live and held, `b` live. Whether each is for
 * administrators only decides what a well-formed user gets.
 */
const ENTRY_POINTS: [string, boolean, (store: LifecycleStore, actor: Actor, s: Seeded) => Promise<unknown>][] = [
  ["get", false, (store, actor, s) => store.get(actor, "notes", s.b["id"])],
  ["list", false, (store, actor) => store.list(actor, "notes")],
  ["count", false, (store, actor) => store.count(actor, "notes")],
  ["aggregate", false, (store, actor) => store.aggregate(actor, "notes", "sum", "words")],
  ["insert", false, (store, actor) => store.insert(actor, "notes", { owner_id: "alice", title: "x" })],
  ["update", false, (store, actor, s) => store.update(actor, "notes", s.b["id"], { words: 0 })],
  ["delete", false, (store, actor, s) => store.delete(actor, "notes", s.b["id"])],
  ["trash", false, (store, actor) => store.trash(actor)],
  ["restore", false, (store, actor, s) => store.restore(actor, "notes", s.a["id"])],
  ["emptyTrash", false, (store, actor) => store.emptyTrash(actor)],
  ["deleteForever", false, (store, actor, s) => store.deleteForever(actor, "notes", s.a["id"])],
  ["deleted", true, (store, actor) => store.deleted(actor)],
  ["held", true, (store, actor) => store.held(actor)],
  ["inspect", true, (store, actor, s) => store.inspect(actor, "notes", s.a["id"])],
  ["hold", true, (store, actor, s) => store.hold(actor, "notes", s.b["id"], "CASE")],
  ["release", true, (store, actor, s) => store.release(actor, "notes", s.c["id"])],
  ["phase", true, (store, actor, s) => store.phase(actor, "notes", s.a["id"])],
  ["audit", true, (store, actor) => store.audit(actor)],
  ["history", true, (store, actor, s) => store.history(actor, "notes", s.a["id"])],
  ["auditRows", true, (store, actor) => store.auditRows(actor, 1)],
  ["purge", true, (store, actor) => purge(store, { actor, confirm: true })],
];

const BAD_ACTORS: [string, unknown][] = [
  ['admin: "false"', { id: "mallory", admin: "false" }],
  ['admin: "true"', { id: "mallory", admin: "true" }],
  ["admin: 1", { id: "mallory", admin: 1 }],
  ["admin: 0", { id: "mallory", admin: 0 }],
  ["no id", { admin: true }],
  ["an empty id", { id: "" }],
  ["a numeric id", { id: 7 }],
  ["null", null],
  ["a string", "alice"],
];

for (const engine of ENGINES) {
  describe(`who may act, on ${engine}`, { skip: engineSkip(engine) }, () => {
    it("refuses a malformed actor at every entry point with NINES_DATA_ACTOR_INVALID, changing nothing", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await store.hold(admin, "notes", s.c["id"], "CASE-1");
        await clock.advance(31 * DAY);
        const before = await store.audit(admin, { limit: 1000 });
        for (const [name, , call] of ENTRY_POINTS) {
          for (const [what, actor] of BAD_ACTORS) {
            const error = await rejects(call(store, actor as Actor, s), LIFECYCLE_ERRORS.actorInvalid).catch(
              (failure: Error) => assert.fail(`${name} with ${what}: ${failure.message}`),
            );
            assert.match(error.hint ?? "", /admin: true/, `${name} with ${what}: the hint shows the shape`);
          }
        }
        assert.deepEqual(await store.audit(admin, { limit: 1000 }), before, "nothing was written");
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "soft", "a is still soft-deleted");
        assert.equal(await store.get(alice, "notes", s.b["id"]).then((r) => r?.["words"]), 20);
      } finally {
        await cleanup();
      }
    });

    it("treats only admin: true as an administrator, at every entry point", async () => {
      const { store, clock, cleanup } = await freshStore(engine);
      try {
        const s = await seed(store);
        await store.delete(alice, "notes", s.a["id"]);
        await store.hold(admin, "notes", s.c["id"], "CASE-1");
        await clock.advance(31 * DAY);
        const user = { id: "mallory", admin: false };
        for (const [name, adminOnly, call] of ENTRY_POINTS) {
          const outcome = await call(store, user, s).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          if (adminOnly) {
            assert.ok("error" in outcome, `${name}: a user was let through`);
            await rejects(Promise.reject(outcome.error), LIFECYCLE_ERRORS.forbidden);
          } else if ("error" in outcome) {
            // A user acting on alice's rows: they do not exist for him, or he may not write them.
            const code = (outcome.error as { code?: string }).code;
            assert.ok(
              code === LIFECYCLE_ERRORS.notFound || code === LIFECYCLE_ERRORS.forbidden,
              `${name}: ${String(outcome.error)}`,
            );
          } else {
            const value = outcome.value;
            assert.ok(
              value === undefined ||
                value === 0 ||
                value === null ||
                (Array.isArray(value) && value.length === 0) ||
                (typeof value === "object" && (value as { rows?: number }).rows === 0),
              `${name}: mallory saw or changed something of alice's: ${JSON.stringify(value)}`,
            );
          }
        }
        assert.equal(await store.phase(admin, "notes", s.a["id"]), "soft");
        assert.equal((await store.restore(admin, "notes", s.a["id"])).rows, 1, "an administrator restores it");
      } finally {
        await cleanup();
      }
    });
  });
}
