import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { isNinesError } from "@nines/core";
import { declareTables, loadDeclaration } from "./declaration.js";
import { LIFECYCLE_ERRORS } from "./errors.js";

const invalid = (error: unknown) => isNinesError(error, LIFECYCLE_ERRORS.declaration);

it("resolves relations both ways, orders parents first and defaults the periods", () => {
  const d = declareTables({
    tables: {
      notes: {
        key: "id",
        owner: "owner_id",
        unique: [["owner_id", "title"]],
        parents: [{ table: "folders", column: "folder_id" }],
      },
      folders: { key: "id", owner: "owner_id", parents: [{ table: "folders", column: "parent_id" }] },
    },
    softDays: 15,
  });
  assert.deepEqual(d.order, ["folders", "notes"]);
  assert.deepEqual(d.tables.get("folders")?.children, [
    { table: "notes", column: "folder_id" },
    { table: "folders", column: "parent_id" },
  ]);
  assert.equal(d.tables.get("notes")?.unique[0]?.rename, "title");
  assert.equal(d.trashMs, 30 * 86_400_000);
  assert.equal(d.softMs, 15 * 86_400_000);
});

it("refuses bad declarations with a coded error naming the place", () => {
  assert.throws(() => declareTables({ tables: {} }), invalid);
  assert.throws(() => declareTables({ tables: { "x;drop": { key: "id", owner: "o" } } }), invalid);
  assert.throws(() => declareTables({ tables: { t: { key: "nines_x", owner: "o" } } }), invalid);
  assert.throws(
    () => declareTables({ tables: { t: { key: "id", owner: "o", parents: [{ table: "u", column: "u_id" }] } } }),
    invalid,
  );
  assert.throws(
    () =>
      declareTables({
        tables: {
          a: { key: "id", owner: "o", parents: [{ table: "b", column: "b_id" }] },
          b: { key: "id", owner: "o", parents: [{ table: "a", column: "a_id" }] },
        },
      }),
    (error) => invalid(error) && /cycle: a -> b -> a/.test((error as Error).message),
  );
  assert.throws(() => declareTables({ tables: { t: { key: "id", owner: "o" } }, trashDays: -1 }), invalid);
  assert.throws(
    () => declareTables({ tables: { t: { key: "id", owner: "o", unique: [{ columns: ["a"], rename: "b" }] } } }),
    invalid,
  );
});

it("loads a JSON file and reports a missing or broken one", () => {
  const dir = mkdtempSync(join(tmpdir(), "nines-decl-"));
  try {
    const file = join(dir, "tables.json");
    writeFileSync(file, JSON.stringify({ tables: { notes: { key: "id", owner: "owner_id" } } }));
    assert.deepEqual(loadDeclaration(file).order, ["notes"]);
    writeFileSync(file, "{ tables: ");
    assert.throws(() => loadDeclaration(file), invalid);
    assert.throws(() => loadDeclaration(join(dir, "missing.json")), invalid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("names a misspelt key with the one meant, instead of ignoring it", () => {
  assert.throws(
    () => declareTables({ tables: { t: { key: "id", owner: "o" } }, trashDay: 7 } as never),
    (error) =>
      invalid(error) &&
      /unknown key 'trashDay'/.test((error as Error).message) &&
      /'trashDays'/.test((error as { hint: string }).hint),
  );
  assert.throws(
    () => declareTables({ tables: { t: { key: "id", owner: "o", parent: [] } } } as never),
    (error) => invalid(error) && /table t: unknown key 'parent'/.test((error as Error).message),
  );
});

it("keeps audit records a year by default, and never for less than a row's trash and soft periods", () => {
  const tables = { t: { key: "id", owner: "o" } };
  assert.equal(declareTables({ tables }).auditMs, 365 * 86_400_000);
  assert.equal(declareTables({ tables, trashDays: 300, softDays: 100 }).auditMs, 400 * 86_400_000);
  assert.equal(declareTables({ tables, auditDays: 90 }).auditMs, 90 * 86_400_000);
  assert.throws(
    () => declareTables({ tables, auditDays: 30 }),
    (error) =>
      invalid(error) && /auditDays \(30\) is shorter than trashDays \+ softDays \(60\)/.test((error as Error).message),
  );
});
