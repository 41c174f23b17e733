import assert from "node:assert/strict";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { BACKUP_ERRORS } from "../src/backup/errors.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { openTarget } from "../src/backup/targets/open-target.js";
import { S3Target } from "../src/backup/targets/s3-target.js";
import type { BackupTarget } from "../src/backup/targets/target.js";
import { S3RVER_CREDENTIALS, startS3rver } from "./support/s3rver.js";

let root = "";
let s3: Awaited<ReturnType<typeof startS3rver>>;
before(async () => {
  root = mkdtempSync(join(tmpdir(), "nines-targets-"));
  s3 = await startS3rver(["backups"]);
});
after(async () => {
  await s3?.stop();
  rmSync(root, { recursive: true, force: true });
});

const implementations: [string, () => BackupTarget][] = [
  ["local directory", () => new LocalDirTarget(mkdtempSync(join(root, "dir-")))],
  [
    "S3 (s3rver)",
    () =>
      new S3Target({
        bucket: "backups",
        prefix: `p${Math.floor(performance.now() * 1000)}`,
        endpoint: s3.endpoint,
        credentials: S3RVER_CREDENTIALS,
      }),
  ],
];

// One contract suite, run against every target on a real store.
for (const [name, make] of implementations) {
  describe(`BackupTarget contract: ${name}`, () => {
    it("puts, gets, reads, lists and deletes", async () => {
      const target = make();
      const file = join(root, `${name.replace(/\W/g, "")}.bin`);
      const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      writeFileSync(file, data);
      await target.put("a1/data.sqlite", { file });
      await target.put("a1/manifest.json", { bytes: new TextEncoder().encode('{"x":1}') });
      await target.put("b2/manifest.json", { bytes: new TextEncoder().encode("{}") });
      assert.deepEqual(await target.list(), ["a1/data.sqlite", "a1/manifest.json", "b2/manifest.json"]);
      assert.deepEqual(await target.list("a1/"), ["a1/data.sqlite", "a1/manifest.json"]);
      const copy = join(root, `${name.replace(/\W/g, "")}.copy`);
      await pipeline(await target.get("a1/data.sqlite"), createWriteStream(copy));
      assert.ok(readFileSync(copy).equals(data));
      assert.equal(new TextDecoder().decode(await target.read("a1/manifest.json")), '{"x":1}');
      await target.put("a1/manifest.json", { bytes: new TextEncoder().encode('{"x":2}') });
      assert.equal(new TextDecoder().decode(await target.read("a1/manifest.json")), '{"x":2}', "put replaces");
      await target.delete("a1/data.sqlite");
      await target.delete("a1/data.sqlite"); // twice is harmless
      assert.deepEqual(await target.list(), ["a1/manifest.json", "b2/manifest.json"]);
      await target.close?.();
    });

    it("reports a missing key and refuses keys outside the folder", async () => {
      const target = make();
      await assert.rejects(target.read("nothing/here.json"), (e: unknown) => isNinesError(e, BACKUP_ERRORS.notFound));
      for (const key of ["../up", "/abs", "a/../../b", "", "a//b", "a/./b"]) {
        await assert.rejects(target.put(key, { bytes: new Uint8Array(1) }), (e: unknown) =>
          isNinesError(e, BACKUP_ERRORS.pathOutside),
        );
      }
      await target.close?.();
    });
  });
}

it("openTarget reads directories and s3:// locations and refuses other schemes", () => {
  assert.ok(openTarget("backups", { cwd: root }) instanceof LocalDirTarget);
  const s3target = openTarget("s3://bucket-one/some/prefix", { endpoint: s3.endpoint });
  assert.equal(s3target.location, "s3://bucket-one/some/prefix");
  assert.throws(
    () => openTarget("ftp://x/y"),
    (e: unknown) => isNinesError(e, BACKUP_ERRORS.targetInvalid),
  );
  assert.throws(
    () => openTarget("s3:///x"),
    (e: unknown) => isNinesError(e, BACKUP_ERRORS.targetInvalid),
  );
  assert.throws(
    () => openTarget("s3://b/../x"),
    (e: unknown) => isNinesError(e, BACKUP_ERRORS.targetInvalid),
  );
});
