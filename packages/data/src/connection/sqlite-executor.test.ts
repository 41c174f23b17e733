import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { openDatabase } from "./open-database.js";

it("never runs a statement inside someone else's transaction, and rolls back on a throw", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nines-executor-"));
  const db = await openDatabase(join(dir, "x.db"));
  try {
    const ex = db.executor;
    await ex.run({ sql: "create table t (n integer)", parameters: [] });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = ex.transaction(async (t) => {
      await t.run({ sql: "insert into t values (1)", parameters: [] });
      await gate; // the transaction is open and waiting
      await t.run({ sql: "insert into t values (2)", parameters: [] });
    });
    let seen: number | undefined;
    const outside = ex.first<{ c: number }>({ sql: "select count(*) as c from t", parameters: [] }).then((r) => {
      seen = r?.c;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen, undefined, "the outside read waits for the transaction");
    release();
    await tx;
    await outside;
    assert.equal(seen, 2, "and then sees both committed rows");
    await assert.rejects(
      ex.transaction(async (t) => {
        await t.run({ sql: "insert into t values (3)", parameters: [] });
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal((await ex.first<{ c: number }>({ sql: "select count(*) as c from t", parameters: [] }))?.c, 2);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
