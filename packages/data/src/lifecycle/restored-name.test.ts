import assert from "node:assert/strict";
import { it } from "node:test";
import { restoredName } from "./restored-name.js";

it("puts the restored marker before the extension", () => {
  assert.equal(restoredName("report.pdf", 1), "report (restored).pdf");
  assert.equal(restoredName("report.pdf", 2), "report (restored 2).pdf");
  assert.equal(restoredName("Q3 plan.final.docx", 1), "Q3 plan.final (restored).docx");
  assert.equal(restoredName("backup.tar.gz", 1), "backup (restored).tar.gz");
  assert.equal(restoredName("song.mp3", 3), "song (restored 3).mp3");
});

it("puts it at the end of names without an extension, dotfiles and dotted versions", () => {
  assert.equal(restoredName("notes", 1), "notes (restored)");
  assert.equal(restoredName(".env", 1), ".env (restored)");
  assert.equal(restoredName(".tar.gz", 1), ".tar (restored).gz");
  assert.equal(restoredName("version 1.2", 1), "version 1.2 (restored)");
  assert.equal(restoredName("read me.", 1), "read me. (restored)");
  assert.equal(restoredName("a.b c", 1), "a.b c (restored)");
  assert.equal(restoredName("data.averyverylongsuffix", 1), "data.averyverylongsuffix (restored)");
  assert.equal(restoredName("", 1), " (restored)");
});
