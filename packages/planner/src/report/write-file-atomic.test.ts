import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeFileAtomic } from "./write-file-atomic.js";

describe("writeFileAtomic", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-atomic-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the parent directory, replaces the old content and leaves no temp file", async () => {
    const path = join(dir, "a", "b", "report.html");
    await writeFileAtomic(path, "first");
    await writeFileAtomic(path, "second");
    assert.equal(await readFile(path, "utf8"), "second");
    assert.deepEqual(await readdir(join(dir, "a", "b")), ["report.html"]);
  });

  it("leaves what was there and no temp file when the rename fails", async () => {
    const blocked = join(dir, "blocked");
    await mkdir(join(blocked, "taken"), { recursive: true });
    await writeFile(join(blocked, "taken", "keep.txt"), "kept");
    // The target is a non-empty directory: rename(2) refuses to replace it.
    await assert.rejects(writeFileAtomic(join(blocked, "taken"), "new"));
    assert.deepEqual((await readdir(blocked)).sort(), ["taken"]);
    assert.equal(await readFile(join(blocked, "taken", "keep.txt"), "utf8"), "kept");
  });
});
