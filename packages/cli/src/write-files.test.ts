import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { CLI_ERRORS } from "./errors.js";
import { writeFiles } from "./write-files.js";

describe("writeFiles", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-write-files-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = (path: string, content: string) => ({ path: join(dir, path), content, shown: path });

  it("writes new files and replaces old ones, creating directories and leaving no temporary file", async () => {
    await mkdir(join(dir, "a"));
    await writeFile(join(dir, "a", "old.txt"), "old");
    await writeFiles([file("a/old.txt", "new"), file("a/b/c.txt", "c")]);
    assert.equal(await readFile(join(dir, "a", "old.txt"), "utf8"), "new");
    assert.equal(await readFile(join(dir, "a", "b", "c.txt"), "utf8"), "c");
    assert.deepEqual((await readdir(join(dir, "a"))).sort(), ["b", "old.txt"]);
  });

  it("writes nothing when one file cannot be written, and removes the directories it created", async () => {
    await mkdir(join(dir, "x", "blocked.txt"), { recursive: true });
    await writeFile(join(dir, "x", "keep.txt"), "keep");
    await assert.rejects(
      writeFiles([file("x/keep.txt", "changed"), file("x/new/fresh.txt", "fresh"), file("x/blocked.txt", "b")]),
      (e: unknown) =>
        isNinesError(e, CLI_ERRORS.writeFailed) &&
        /^cannot write x\/blocked\.txt \(EISDIR\); nothing was written$/.test(e.message),
    );
    assert.equal(await readFile(join(dir, "x", "keep.txt"), "utf8"), "keep");
    assert.deepEqual((await readdir(join(dir, "x"))).sort(), ["blocked.txt", "keep.txt"]);
  });

  it("refuses a path under a file and a dangling symbolic link, changing nothing", async () => {
    await writeFile(join(dir, "plain"), "p");
    await assert.rejects(writeFiles([file("plain/inside.txt", "x")]), (e: unknown) =>
      isNinesError(e, CLI_ERRORS.writeFailed),
    );
    await symlink(join(dir, "nowhere"), join(dir, "link.txt"));
    await assert.rejects(
      writeFiles([file("link.txt", "x")]),
      /cannot write link\.txt \(a symbolic link or special file is in the way\)/,
    );
    assert.equal(await readFile(join(dir, "plain"), "utf8"), "p");
  });
});
