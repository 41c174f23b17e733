import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, ManualClock, OPTION_INVALID, type Progress, SeededRandom, systemClock } from "@nines/core";
import Database from "better-sqlite3";
import { listBackups } from "../src/backup/catalog.js";
import { createBackup } from "../src/backup/create-backup.js";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { restoreOwnerRows } from "../src/backup/restore-owner-rows.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { SqliteDialect } from "../src/dialect/sqlite/sqlite-dialect.js";
import { declareTables } from "../src/lifecycle/declaration.js";
import { checkBank, createBank, startWriter } from "./support/backup-fixtures.js";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "nines-backup-sqlite-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isNinesError(error, code), `expected ${code}, got ${String(error)}`);
    return true;
  });
}

for (const method of ["file-copy", "backup-api", "vacuum-into"] as const) {
  it(`${method}: the backup is consistent while a second process keeps writing`, async () => {
    const dir = mkdtempSync(join(root, `${method}-`));
    const db = join(dir, "bank.db");
    createBank(db, { paddingMb: 24 });
    const writer = await startWriter(db);
    try {
      const before = checkBank(db).transfers;
      await systemClock.sleep(30); // let the writer get going
      const target = new LocalDirTarget(join(dir, "backups"));
      // Count event-loop turns until the snapshot is done: the copy runs on a worker thread, so the loop stays free.
      let turns = 0;
      let snapshotting = true;
      const spin = () => {
        turns++;
        if (snapshotting) setImmediate(spin);
      };
      setImmediate(spin);
      const { manifest } = await createBackup({
        source: db,
        dialect: new SqliteDialect({ backupMethod: method }),
        targets: [target],
        onProgress: (p) => {
          if (p.phase === "checksum") snapshotting = false;
        },
      });
      snapshotting = false;
      assert.ok(turns > 50, `the event loop turned ${turns} times during the snapshot`);
      const afterwards = checkBank(db).transfers;
      const restored = join(dir, "restored.db");
      await restoreBackup({ from: target, to: restored });
      const copy = checkBank(restored);
      assert.equal(copy.integrity, "ok");
      assert.equal(copy.total, 50 * 100, "money is neither created nor lost in a consistent snapshot");
      assert.ok(
        copy.transfers >= before && copy.transfers <= afterwards,
        `${before} <= ${copy.transfers} <= ${afterwards}`,
      );
      assert.ok(afterwards > before, "the writer kept writing during the backup");
      assert.equal(manifest.rowCounts["ledger"], copy.transfers, "manifest counts come from the snapshot");
      assert.equal(manifest.method, method);
    } finally {
      writer.kill("SIGKILL");
      await once(writer, "exit");
    }
  });
}

describe("backup, restore and fallback", () => {
  let dir = "";
  let db = "";
  let target: LocalDirTarget;
  const clock = new ManualClock(Date.UTC(2026, 10, 29, 6, 0));
  const ids: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(root, "flow-"));
    db = join(dir, "app.db");
    const live = new Database(db);
    live.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, body TEXT, created_at INTEGER)");
    const insert = live.prepare("INSERT INTO notes (owner, body, created_at) VALUES (?, ?, ?)");
    target = new LocalDirTarget(join(dir, "backups"));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) insert.run(i % 2 ? "alice" : "bob", `note ${round}.${i}`, clock.now());
      await clock.advance(3_600_000);
      const { manifest } = await createBackup({
        source: db,
        targets: [target],
        clock,
        random: new SeededRandom(round),
        newestColumn: "notes.created_at",
      });
      ids.push(manifest.id);
    }
    live.close();
  });

  it("writes a manifest with engine, version, size, checksum, counts and newest data", async () => {
    const { backups } = await listBackups(target);
    assert.deepEqual(
      backups.map((b) => b.id),
      ids,
    );
    const newest = backups[2];
    assert.ok(newest);
    assert.equal(newest.engine, "sqlite");
    assert.match(newest.engineVersion, /^3\.\d+\.\d+$/);
    assert.equal(newest.rowCounts["notes"], 30);
    assert.equal(newest.sizeBytes, statSync(join(dir, "backups", newest.id, "data.sqlite")).size);
    assert.equal(newest.checksum.scheme, "sha256-blocks");
    assert.match(newest.checksum.value, /^[0-9a-f]{64}$/);
    assert.equal(newest.newestData?.at, new Date(Date.UTC(2026, 10, 29, 8, 0)).toISOString());
    assert.equal(newest.startedAt, new Date(Date.UTC(2026, 10, 29, 9, 0)).toISOString());
    assert.equal(newest.durationMs, 0, "time is taken on the injected clock");
  });

  it("restores to a new file and refuses to overwrite one unless forced", async () => {
    const to = join(dir, "restored.db");
    await restoreBackup({ from: target, to });
    const copy = new Database(to, { readonly: true });
    assert.equal((copy.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n, 30);
    copy.close();
    const before = readFileSync(db);
    await rejectsWith(restoreBackup({ from: target, to: db }), BACKUP_ERRORS.restoreExists);
    assert.deepEqual(readFileSync(db), before, "the live database is untouched");
    await restoreBackup({ from: target, to, id: ids[0], force: true });
    const forced = new Database(to, { readonly: true });
    assert.equal((forced.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n, 10);
    forced.close();
  });

  it("refuses unknown ids and ids that leave the folder, changing nothing", async () => {
    const to = join(dir, "never.db");
    await rejectsWith(restoreBackup({ from: target, to, id: "20990101T000000000Z-000000" }), BACKUP_ERRORS.notFound);
    await rejectsWith(restoreBackup({ from: target, to, id: "../../etc" }), BACKUP_ERRORS.pathOutside);
    await rejectsWith(target.get("../app.db"), BACKUP_ERRORS.pathOutside);
    await rejectsWith(target.put("/etc/x", { bytes: new Uint8Array(1) }), BACKUP_ERRORS.pathOutside);
    assert.equal(existsSync(to), false);
  });

  it("refuses a missing or non-database source", async () => {
    await rejectsWith(
      createBackup({ source: join(dir, "missing.db"), targets: [target] }),
      BACKUP_ERRORS.sourceMissing,
    );
    const junk = join(dir, "junk.db");
    writeFileSync(junk, "this is not a database, just some text long enough to be read as a header");
    await rejectsWith(createBackup({ source: junk, targets: [target] }), BACKUP_ERRORS.sourceInvalid);
    await assert.rejects(
      createBackup({ source: db, targets: [target], newestColum: "notes.created_at" } as never),
      (e: unknown) => isNinesError(e, OPTION_INVALID) && /did you mean newestColumn/.test(e.hint ?? ""),
    );
    assert.equal((await listBackups(target)).backups.length, 3, "no backup was added");
  });

  for (const damage of ["truncated", "corrupt"] as const) {
    it(`falls back past a ${damage} newest backup, and refuses it by id`, async () => {
      const newest = ids[2] as string;
      const file = join(dir, "backups", newest, "data.sqlite");
      const original = readFileSync(file);
      try {
        if (damage === "truncated") truncateSync(file, Math.floor(original.length / 2));
        else {
          const altered = Buffer.from(original);
          altered[altered.length - 100] = (altered[altered.length - 100] ?? 0) ^ 0xff;
          writeFileSync(file, altered);
        }
        const warnings: Progress[] = [];
        const to = join(dir, `fallback-${damage}.db`);
        const result = await restoreBackup({
          from: target,
          to,
          onProgress: (p) => p.phase === "warning" && warnings.push(p),
        });
        assert.equal(result.manifest.id, ids[1], "the previous good backup was restored");
        assert.equal(result.skipped[0]?.id, newest);
        assert.match(warnings[0]?.message ?? "", damage === "truncated" ? /truncated/ : /checksum/);
        const explicit = join(dir, `explicit-${damage}.db`);
        await rejectsWith(restoreBackup({ from: target, to: explicit, id: newest }), BACKUP_ERRORS.corrupt);
        assert.equal(existsSync(explicit), false, "a refused restore leaves nothing behind");
      } finally {
        writeFileSync(file, original);
      }
    });
  }

  it("restores one owner's rows without touching anyone else's", async () => {
    const live = new Database(db);
    live.exec("DELETE FROM notes WHERE owner = 'alice' AND id % 3 = 0"); // alice loses some notes
    live.exec("UPDATE notes SET body = 'edited' WHERE owner = 'bob'"); // bob keeps working
    live.exec("UPDATE notes SET body = 'alice edit' WHERE owner = 'alice' AND id = 2");
    const bobBefore = live.prepare("SELECT * FROM notes WHERE owner = 'bob' ORDER BY id").all();
    const aliceLost =
      15 - (live.prepare("SELECT COUNT(*) AS n FROM notes WHERE owner = 'alice'").get() as { n: number }).n;
    live.close();

    const declaration = declareTables({ tables: { notes: { key: "id", owner: "owner" } } });
    const skip = await restoreOwnerRows({ from: target, to: db, declaration, owner: "alice" });
    assert.equal(skip.inBackup, 15);
    assert.equal(skip.restored, aliceLost);
    assert.equal(skip.skipped, 15 - aliceLost);
    const check = new Database(db, { readonly: true });
    assert.deepEqual(check.prepare("SELECT * FROM notes WHERE owner = 'bob' ORDER BY id").all(), bobBefore);
    assert.equal((check.prepare("SELECT body FROM notes WHERE id = 2").get() as { body: string }).body, "alice edit");
    check.close();

    await rejectsWith(
      restoreOwnerRows({ from: target, to: db, declaration, owner: "alice", onConflict: "fail" }),
      BACKUP_ERRORS.ownerConflict,
    );
    const replace = await restoreOwnerRows({
      from: target,
      to: db,
      declaration,
      owner: "alice",
      onConflict: "replace",
    });
    assert.equal(replace.restored, 15);
    const final = new Database(db, { readonly: true });
    assert.equal((final.prepare("SELECT body FROM notes WHERE id = 2").get() as { body: string }).body, "note 0.1");
    assert.deepEqual(final.prepare("SELECT * FROM notes WHERE owner = 'bob' ORDER BY id").all(), bobBefore);
    final.close();

    await rejectsWith(
      restoreOwnerRows({ from: target, to: db, declaration, tables: ["nope"], owner: "alice" }),
      BACKUP_ERRORS.tableUnknown,
    );
    const wrongOwner = declareTables({ tables: { notes: { key: "id", owner: "user_id" } } });
    await rejectsWith(
      restoreOwnerRows({ from: target, to: db, declaration: wrongOwner, owner: "alice" }),
      BACKUP_ERRORS.tableUnknown,
    );
  });
});
