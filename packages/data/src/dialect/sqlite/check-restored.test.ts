import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { CHECK_APART_BYTES, checkRestored } from "./check-restored.js";

const dir = mkdtempSync(join(tmpdir(), "nines-check-restored-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A database of `rows` rows of `blobBytes` each, with an index. */
function database(name: string, rows: number, blobBytes: number): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, tag TEXT, body BLOB); CREATE INDEX items_tag ON items (tag)");
  const insert = db.prepare("INSERT INTO items (tag, body) VALUES (?, randomblob(?))");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`tag-${i % 97}`, blobBytes);
  })();
  db.exec("CREATE TABLE empty (x)");
  db.close();
  return file;
}

describe("checkRestored (SQLite's check in a process of its own, through a memory map)", () => {
  it("passes a good database at both levels, here and apart, and counts every table's rows", async () => {
    const file = database("good.db", 2000, 100);
    for (const level of ["integrity", "quick"] as const) {
      for (const apartFrom of [CHECK_APART_BYTES, 0]) {
        const check = await checkRestored(file, level, apartFrom);
        assert.deepEqual(check, { problems: [], rowCounts: { empty: 0, items: 2000 } }, `${level} ${apartFrom}`);
      }
    }
  });

  it("finds an index that disagrees with its table, here and apart (integrity, not quick)", async () => {
    const file = database("skewed.db", 500, 10);
    // The index's definition changed under it: its entries hold tag, the schema now says body.
    const db = new Database(file);
    db.unsafeMode(true);
    db.pragma("writable_schema = ON");
    db.prepare(
      "UPDATE sqlite_schema SET sql = 'CREATE INDEX items_tag ON items (body)' WHERE name = 'items_tag'",
    ).run();
    db.close();
    for (const apartFrom of [CHECK_APART_BYTES, 0]) {
      const integrity = await checkRestored(file, "integrity", apartFrom);
      assert.ok(integrity.problems.length > 0, `integrity ${apartFrom}`);
      assert.match(integrity.problems[0] as string, /^integrity_check: /);
      assert.deepEqual((await checkRestored(file, "quick", apartFrom)).problems, [], `quick ${apartFrom}`);
    }
  });

  it("reports a database cut short, and a file that is not a database, as problems", async () => {
    const cut = database("cut.db", 2000, 500);
    truncateSync(cut, 64 * 1024);
    const check = await checkRestored(cut, "integrity");
    assert.ok(check.problems.length > 0);
    assert.match(check.problems.join("\n"), /malformed|corrupt|integrity_check/i);
    const text = join(dir, "text.db");
    writeFileSync(text, "not a database, only words ".repeat(200));
    const notDatabase = await checkRestored(text, "quick");
    assert.deepEqual(notDatabase.problems, ["cannot read the restored database: file is not a database"]);
  });

  it("survives the file being cut short under the check (SIGBUS ends the checking process, not this one)", async (t) => {
    // About 250 MB (checked apart): its check is still walking the file well after the map is made.
    const file = database("shrinks.db", 120_000, 2000);
    const checking = checkRestored(file, "integrity");
    // Cut once the child has mapped the file: what it reads past the new end is then a fault in its map.
    await mappedByChild(file);
    truncateSync(file, 8 * 1024);
    const check = await checking;
    assert.ok(check.problems.length > 0, "the cut file is not reported good");
    t.diagnostic(`reported: ${check.problems[0]}`);
    assert.match(check.problems.join("\n"), /ended by SIGBUS/);
  });
});

/** Waits until a child process of this one has `file` in its memory map (Linux's /proc). */
async function mappedByChild(file: string): Promise<void> {
  for (let tries = 0; tries < 5000; tries++) {
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        // The parent's pid is the field after the command's name, which is in parentheses.
        const parent = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
        if (parent === process.pid && readFileSync(`/proc/${pid}/maps`, "utf8").includes(file)) return;
      } catch {
        // A process that ended meanwhile.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`no child process mapped ${file}`);
}
