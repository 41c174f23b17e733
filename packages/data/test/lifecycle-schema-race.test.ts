import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type DataConnection, declareTables, ensureSchema, openDatabase } from "../src/index.js";

describe("ensureSchema, from several instances at once", () => {
  it("another instance preparing the same SQLite file in between: each column is added once, both succeed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nines-schema-race-"));
    const file = join(dir, "inventory.db");
    const declaration = declareTables({ tables: { trips: { key: "id", owner: "owner_id" } } });
    const first = await openDatabase(file);
    const second = await openDatabase(file);
    try {
      await first.executor.run({ sql: "create table trips (id text primary key, owner_id text)", parameters: [] });
      // The other instance (its own connection) prepares the file at the moment this one opens its
      // transaction: the schema this one read before that moment is stale.
      const racing: DataConnection = {
        ...first,
        close: () => first.close(),
        executor: {
          engine: first.executor.engine,
          all: (s) => first.executor.all(s),
          first: (s) => first.executor.first(s),
          run: (s) => first.executor.run(s),
          transaction: async (fn) => {
            await ensureSchema(second, declaration);
            return await first.executor.transaction(fn);
          },
        },
      };
      await ensureSchema(racing, declaration);
      const columns = await first.executor.all<{ name: string }>({
        sql: "select name from pragma_table_info('trips')",
        parameters: [],
      });
      assert.equal(columns.filter((c) => c.name === "nines_deleted_at").length, 1);
    } finally {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
