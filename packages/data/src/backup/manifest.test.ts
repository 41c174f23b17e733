import assert from "node:assert/strict";
import { it } from "node:test";
import { isNinesError, SeededRandom } from "@nines/core";
import { BACKUP_ERRORS } from "./errors.js";
import { backupId, isBackupId, parseManifest } from "./manifest.js";

it("backup ids sort by time and differ within one millisecond", () => {
  const random = new SeededRandom(3);
  const at = Date.UTC(2026, 10, 29, 7, 15);
  const a = backupId(at, random);
  const b = backupId(at, random);
  const later = backupId(at + 1, random);
  assert.match(a, /^20261129T071500000Z-[0-9a-f]{6}$/);
  assert.ok(isBackupId(a));
  assert.notEqual(a, b);
  assert.ok(a.slice(0, 19) < later.slice(0, 19));
  assert.equal(backupId(at, new SeededRandom(3)), a, "deterministic with a seeded random");
});

it("parseManifest refuses anything that is not a complete manifest", () => {
  const good = {
    format: 1,
    id: "20261129T071500000Z-abcdef",
    engine: "sqlite",
    engineVersion: "3.53.2",
    source: "/x/app.db",
    method: "backup-api",
    startedAt: "2026-11-29T07:15:00.000Z",
    finishedAt: "2026-11-29T07:15:01.000Z",
    durationMs: 1000,
    dataFile: "data.sqlite",
    sizeBytes: 4096,
    sha256: "a".repeat(64),
    rowCounts: { notes: 3 },
  };
  const encode = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
  assert.equal(parseManifest(encode(good)).id, good.id);
  for (const bad of [
    "{",
    "null",
    { ...good, sha256: "zz" },
    { ...good, dataFile: "../x" },
    { ...good, id: "../etc" },
    { ...good, format: 2 },
  ]) {
    assert.throws(
      () => parseManifest(encode(bad)),
      (e: unknown) => isNinesError(e, BACKUP_ERRORS.corrupt),
      JSON.stringify(bad),
    );
  }
});
