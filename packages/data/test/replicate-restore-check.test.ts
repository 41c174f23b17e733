// SQLite's check of a restored database, at both levels: a replica whose
// objects are whole (their tags pass) but whose database is damaged is
// refused, integrity_check finding what quick_check does not look for (an
// index that disagrees with its table), and quick_check a broken b-tree.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import Database from "better-sqlite3";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { encodeObject } from "../src/replicate/codec/encode-object.js";
import { REPLICA_ERRORS } from "../src/replicate/errors.js";
import { snapshotKey } from "../src/replicate/layout/replica-keys.js";
import type { SnapshotMeta } from "../src/replicate/replicator/snapshot-meta.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { tempDir } from "./support/replica-fixtures.js";

const GENERATION = "20261129T071500000Z-3fa2c1";
let root = "";
before(() => {
  root = tempDir("replica-check");
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A database of 300 rows with an index, changed by `damage`, stored as a replica of one snapshot. */
async function replicaOf(name: string, damage: (file: string) => void): Promise<LocalDirTarget> {
  const file = join(root, `${name}.db`);
  const db = new Database(file);
  db.exec("CREATE TABLE t (a INTEGER, b TEXT); CREATE INDEX t_a ON t (a)");
  const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
  for (let i = 0; i < 300; i++) insert.run(i, `row ${i}`.padEnd(200, "."));
  db.close();
  damage(file);
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  const meta: SnapshotMeta = {
    pageSize,
    pages: bytes.length / pageSize,
    at: Date.parse("2026-11-29T07:15:01Z"),
    wal: null,
  };
  const parts: Buffer[] = [];
  await encodeObject({
    kind: "snapshot",
    generation: GENERATION,
    seq: 0,
    meta,
    compression: "deflate",
    source: [bytes],
    write: (b) => void parts.push(b),
  });
  const target = new LocalDirTarget(join(root, `${name}-replica`));
  await target.put(snapshotKey(GENERATION, 0, meta.at), { bytes: Buffer.concat(parts) });
  return target;
}

async function refusedFor(target: LocalDirTarget, check: "integrity" | "quick", problem: RegExp): Promise<void> {
  const to = join(root, `refused-${check}-${Math.random().toString(16).slice(2)}.db`);
  await assert.rejects(restoreReplica({ from: target, to, check }), (error: unknown) => {
    assert.ok(isNinesError(error, REPLICA_ERRORS.corrupt), String(error));
    assert.match((error as Error).message, problem);
    return true;
  });
  assert.equal(existsSync(to), false, "nothing is written at the destination");
}

describe("the check of a restored database", () => {
  it("integrity_check refuses an index that disagrees with its table; quick_check does not look", async () => {
    // The index's definition changed under it: its entries hold column a, the schema now says b.
    const target = await replicaOf("index", (file) => {
      const db = new Database(file);
      db.unsafeMode(true);
      db.pragma("writable_schema = ON");
      db.prepare("UPDATE sqlite_schema SET sql = 'CREATE INDEX t_a ON t (b)' WHERE name = 't_a'").run();
      db.close();
    });
    await refusedFor(target, "integrity", /fails its checks: integrity_check: .*t_a/);
    const to = join(root, "index-quick.db");
    const result = await restoreReplica({ from: target, to, check: "quick" });
    assert.equal(result.rowCounts.t, 300);
  });

  it("quick_check refuses a broken b-tree", async () => {
    const target = await replicaOf("btree", (file) => {
      const bytes = readFileSync(file);
      const pageSize = bytes.readUInt16BE(16);
      // The table's last page: its cell pointers now point past the page.
      const page = bytes.length / pageSize - 1;
      for (let i = 12; i < 40; i += 2) bytes.writeUInt16BE(0xfff0, page * pageSize + i);
      writeFileSync(file, bytes);
    });
    await refusedFor(target, "quick", /fails its checks: .*(quick_check|malformed)/);
    await refusedFor(target, "integrity", /fails its checks: .*(integrity_check|malformed)/);
  });
});
