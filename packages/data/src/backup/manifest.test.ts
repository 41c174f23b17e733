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

const common = {
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
  rowCounts: { notes: 3 },
};
const encode = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));

it("names the checksum for what it is, and reads format-1 manifests into that shape", () => {
  const blocks = { scheme: "sha256-blocks", blockBytes: 4_194_304, value: "b".repeat(64) };
  const current = parseManifest(encode({ ...common, format: 2, checksum: blocks }));
  assert.deepEqual(current.checksum, blocks);
  assert.equal("sha256" in current, false, "no field named sha256 that holds something else");
  // Format 1 without a scheme: `sha256` was the whole file's SHA-256.
  const whole = parseManifest(encode({ ...common, format: 1, sha256: "a".repeat(64) }));
  assert.deepEqual(whole.checksum, { scheme: "sha256", value: "a".repeat(64) });
  assert.equal(whole.format, 2);
  // Format 1 with a scheme: `sha256` held the block value.
  const old = parseManifest(
    encode({ ...common, format: 1, sha256: "c".repeat(64), checksum: { scheme: "sha256-blocks", blockBytes: 1024 } }),
  );
  assert.deepEqual(old.checksum, { scheme: "sha256-blocks", blockBytes: 1024, value: "c".repeat(64) });
});

it("parseManifest refuses anything that is not a complete manifest", () => {
  const good = { ...common, format: 2, checksum: { scheme: "sha256", value: "a".repeat(64) } };
  assert.equal(parseManifest(encode(good)).id, good.id);
  for (const bad of [
    "{",
    "null",
    { ...good, checksum: { scheme: "sha256", value: "zz" } },
    { ...good, checksum: { scheme: "md5", value: "a".repeat(64) } },
    { ...good, checksum: { scheme: "sha256-blocks", value: "a".repeat(64) } },
    { ...good, checksum: undefined, sha256: "a".repeat(64) },
    { ...good, dataFile: "../x" },
    { ...good, id: "../etc" },
    { ...good, format: 3 },
    { ...common, format: 1, sha256: "zz" },
  ]) {
    assert.throws(
      () => parseManifest(encode(bad)),
      (e: unknown) => isNinesError(e, BACKUP_ERRORS.corrupt),
      JSON.stringify(bad),
    );
  }
});
